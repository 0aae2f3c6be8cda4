using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.PixelFormats;
using XRayFlow.Core.Imaging;
using XRayFlow.Pipeline.Outputs.Rendering;

namespace XRayFlow.Pipeline.Tests.Rendering;

public class GifWriterTests
{
    [Fact]
    public void GreyStackBecomesLoopingGifWithOneSecondFramesAndExactPixels()
    {
        var frames = Enumerable.Range(0, 3).Select(i => RenderingFixtures.Half(RenderingFixtures.Half(RenderingFixtures.Sample(i)))).ToList();
        var stack = ImageArray.StackOf(frames);
        using var ms = new MemoryStream();
        GifWriter.Write(ms, stack, vmin: 0, vmax: 255);
        RenderingFixtures.Keep("stack.gif", ms.ToArray());

        ms.Position = 0;
        using var gif = Image.Load<Rgb24>(ms);
        Assert.Equal(3, gif.Frames.Count);
        Assert.Equal(256, gif.Width);
        Assert.Equal(0, gif.Metadata.GetGifMetadata().RepeatCount);
        for (int n = 0; n < 3; n++)
        {
            var frame = gif.Frames[n];
            Assert.Equal(100, frame.Metadata.GetGifMetadata().FrameDelay);
            for (int y = 0; y < 256; y += 17)
            {
                for (int x = 0; x < 256; x += 13)
                {
                    var p = frame[x, y];
                    byte expected = (byte)stack.Frame(n)[(y * 256) + x];
                    Assert.Equal(expected, p.R);
                    Assert.Equal(expected, p.B);
                }
            }
        }
    }

    [Fact]
    public void DurationLoopAndColormapAreHonoured()
    {
        var stack = ImageArray.Stack(2, 8, 8);
        for (int k = 0; k < 64; k++)
        {
            stack.Data[k] = 0f;
            stack.Data[64 + k] = 1f;
        }

        using var ms = new MemoryStream();
        var jet = Colormaps.Get("jet");
        GifWriter.Write(ms, stack, durationMs: 250, loop: 3, colormap: jet);
        ms.Position = 0;
        using var gif = Image.Load<Rgb24>(ms);
        Assert.Equal(2, gif.Frames.Count);
        Assert.Equal(3, gif.Metadata.GetGifMetadata().RepeatCount);
        Assert.Equal(25, gif.Frames[1].Metadata.GetGifMetadata().FrameDelay);
        var lut = jet.Lut;
        Assert.Equal(new Rgb24(lut[0], lut[1], lut[2]), gif.Frames[0][3, 3]);
        Assert.Equal(new Rgb24(lut[765], lut[766], lut[767]), gif.Frames[1][3, 3]);
    }

    [Fact]
    public void RejectsBadArguments()
    {
        var stack = ImageArray.Stack(1, 2, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => GifWriter.Write(Stream.Null, stack, durationMs: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GifWriter.Write(Stream.Null, stack, loop: -1));
        Assert.Throws<ArgumentException>(() => GifWriter.Write(Stream.Null, stack, vmin: 2, vmax: 1));
    }
}
