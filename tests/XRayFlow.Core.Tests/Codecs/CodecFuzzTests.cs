using XRayFlow.Core.Codecs;

namespace XRayFlow.Core.Tests.Codecs;

/// <summary>
/// Damaged files (cut at a random byte, or with random bytes changed) must either decode to a full image or
/// throw <see cref="ImageDecodeException"/>: never another exception type, never a hang. Fixed seeds.
/// </summary>
public class CodecFuzzTests
{
    [Theory]
    [InlineData("xray_crop.png", 1)]
    [InlineData("rgb8.png", 2)]
    [InlineData("grey16.png", 3)]
    [InlineData("interlaced.png", 4)]
    [InlineData("grey.jpg", 5)]
    [InlineData("rgb.jpg", 6)]
    [InlineData("npy/float32_le.npy", 7)]
    [InlineData("npy/complex128_be.npy", 8)]
    public void DamagedFilesDecodeOrThrowImageDecodeException(string file, int seed)
    {
        var original = File.ReadAllBytes(CodecFixtures.Path_(file));
        var expectedShape = ImageReader.Read(new MemoryStream(original), file).Shape;
        var rng = new Random(seed);
        int decoded = 0, refused = 0;
        for (int trial = 0; trial < 150; trial++)
        {
            byte[] damaged;
            if (trial % 3 == 0)
            {
                damaged = original[..rng.Next(0, original.Length)];
            }
            else
            {
                damaged = (byte[])original.Clone();
                int flips = 1 + rng.Next(8);
                for (int f = 0; f < flips; f++)
                {
                    damaged[rng.Next(damaged.Length)] = (byte)rng.Next(256);
                }
            }

            try
            {
                var img = ImageReader.Read(new MemoryStream(damaged), file);
                Assert.True(img.Length > 0);
                decoded++;
            }
            catch (ImageDecodeException ex)
            {
                Assert.False(string.IsNullOrWhiteSpace(ex.Reason));
                refused++;
            }
        }

        Assert.True(refused > 0, $"{file}: no damaged variant was refused");
        Assert.NotEmpty(expectedShape);
        Assert.Equal(150, decoded + refused);
    }
}
