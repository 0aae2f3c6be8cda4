using System.Diagnostics;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Dicom;
using XRayFlow.Core.Codecs.Jpeg;
using XRayFlow.Core.Codecs.Npy;
using XRayFlow.Core.Codecs.Png;

namespace XRayFlow.Core.Tests.Codecs;

/// <summary>
/// Every codec opens files through <see cref="XRayFlow.Core.IO.UntrustedFile"/>: a FIFO, a device or a directory
/// is refused with a message before it is opened (a FIFO would block the open, /dev/zero never ends), and each
/// format refuses a file longer than its documented bound before reading it.
/// </summary>
public sealed class UntrustedInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xrf-codec-input-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> Readers() => ["ImageReader.Read", "ImageReader.ReadStack", "NpyReader.Read", "DicomReader.ParseFile", "DicomReader.ReadImage"];

    private static object ReadWith(string reader, string path) => reader switch
    {
        "ImageReader.Read" => ImageReader.Read(path),
        "ImageReader.ReadStack" => ImageReader.ReadStack([path]),
        "NpyReader.Read" => NpyReader.Read(path),
        "DicomReader.ParseFile" => DicomReader.ParseFile(path),
        _ => DicomReader.ReadImage(path),
    };

    /// <summary>
    /// Whether <paramref name="call"/> (which must not open the FIFO) ends by itself within 30 seconds, a window for a
    /// loaded machine. If not, it opened the FIFO and waits for a writer (the bug): it is given one from a background
    /// task that is never awaited, so it ends and the test fails. Opening a FIFO to write blocks until someone reads
    /// it: awaited here after a 5-second window, a correct but late call (one that never opens the FIFO) left the test
    /// run blocked for good (CI, 2026-12-06, with the whole suite running beside it).
    /// </summary>
    private static async Task<bool> EndsWithoutAWriter(Task call, string fifo, Action<FileStream>? write = null)
    {
        if (await Task.WhenAny(call, Task.Delay(TimeSpan.FromSeconds(30))) == call)
        {
            return true;
        }

        _ = Task.Run(() =>
        {
            using var w = new FileStream(fifo, FileMode.Open, FileAccess.Write);
            write?.Invoke(w);
        });
        await Task.WhenAny(call, Task.Delay(TimeSpan.FromSeconds(10)));
        return false;
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public async Task AFifoIsRefusedWithoutBlocking(string reader)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string fifo = Path.Combine(_dir, "pipe.npy");
        using (var p = Process.Start(new ProcessStartInfo("mkfifo", fifo) { UseShellExecute = false })!)
        {
            p.WaitForExit();
        }

        var read = Task.Run(() => ReadWith(reader, fifo));
        if (!await EndsWithoutAWriter(read, fifo, w => NpyWriter.Write(w, new Core.Imaging.ImageArray(2, 2))))
        {
            Assert.Fail($"{reader} opened a FIFO and blocked on it");
        }

        var ex = await Assert.ThrowsAsync<ImageDecodeException>(() => read);
        Assert.Equal(fifo, ex.Path);
        Assert.Equal("it is a FIFO (named pipe), not a regular file; XRayFlow reads only regular files", ex.Reason);
    }

    [Fact]
    public async Task IdentifyOfAFifoIsNullWithoutBlocking()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string fifo = Path.Combine(_dir, "pipe.png");
        using (var p = Process.Start(new ProcessStartInfo("mkfifo", fifo) { UseShellExecute = false })!)
        {
            p.WaitForExit();
        }

        var identify = Task.Run(() => ImageReader.Identify(fifo));
        if (!await EndsWithoutAWriter(identify, fifo))
        {
            Assert.Fail("Identify opened a FIFO and blocked on it");
        }

        Assert.Null(await identify);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void DevicesAndDirectoriesAreRefusedByName(string reader)
    {
        var ex = Assert.Throws<ImageDecodeException>(() => ReadWith(reader, _dir));
        Assert.Equal("it is a directory, not a regular file; XRayFlow reads only regular files", ex.Reason);
        if (OperatingSystem.IsLinux())
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            ex = Assert.Throws<ImageDecodeException>(() => ReadWith(reader, "/dev/zero"));
            Assert.Equal("it is a character device, not a regular file; XRayFlow reads only regular files", ex.Reason);
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000, "read from /dev/zero");
        }

        ex = Assert.Throws<ImageDecodeException>(() => ReadWith(reader, Path.Combine(_dir, "none.png")));
        Assert.Equal("file not found", ex.Reason);
        ex = Assert.Throws<ImageDecodeException>(() => ReadWith(reader, Path.Combine(_dir, "no-folder", "none.png")));
        Assert.Equal("file not found (the folder does not exist)", ex.Reason);
    }

    [Fact]
    public void ASymlinkToADeviceIsRefused()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string link = Path.Combine(_dir, "zero.png");
        File.CreateSymbolicLink(link, "/dev/zero");
        var ex = Assert.Throws<ImageDecodeException>(() => ImageReader.Read(link));
        Assert.Contains("character device", ex.Reason);
        Assert.Null(ImageReader.Identify(link));
    }

    public static TheoryData<string, long, string> Bounds() => new()
    {
        { "big.png", PngReader.MaxFileBytes, "PNG" },
        { "big.jpg", JpegReader.MaxFileBytes, "JPEG" },
        { "big.npy", NpyReader.MaxFileBytes, ".npy" },
        { "big.dcm", DicomReadOptions.Default.MaxFileBytes, "DICOM" },
    };

    [Theory]
    [MemberData(nameof(Bounds))]
    public void AFileLongerThanItsFormatsBoundIsRefusedBeforeItIsRead(string name, long bound, string format)
    {
        // A sparse file: a valid start (signature, header), then zeros up to one byte past the bound.
        string path = Path.Combine(_dir, name);
        using (var f = new FileStream(path, FileMode.Create, FileAccess.Write))
        {
            f.Write(ValidStart(name));
            f.SetLength(bound + 1);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<ImageDecodeException>(() => ImageReader.Read(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000, "read the file before refusing it");
        Assert.Equal($"the {format} file is {bound + 1} bytes, more than the {bound} bytes a {format} file may have", ex.Reason);
        Assert.Null(ImageReader.Identify(path));
    }

    [Fact]
    public void AHugeFileOfNoFormatIsRefusedAfterItsFirstBytes()
    {
        string path = Path.Combine(_dir, "huge.bin");
        using (var f = new FileStream(path, FileMode.Create, FileAccess.Write))
        {
            f.SetLength(NpyReader.MaxFileBytes + 1);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<ImageDecodeException>(() => ImageReader.Read(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000, "read the file");
        Assert.StartsWith("unrecognised file format", ex.Reason);
    }

    [Fact]
    public void AFileThatShrinksWhileReadIsRefused()
    {
        // A forward-only stream shorter than it claims stands for a file truncated between stat and read.
        var png = File.ReadAllBytes(CodecFixtures.Path_("xray_crop.png"));
        var ex = Assert.Throws<ImageDecodeException>(() => ImageReader.Read(new LyingStream(png[..200], png.Length), "shrunk.png"));
        Assert.Contains("the file changed while it was read", ex.Reason);
    }

    private static byte[] ValidStart(string name) => Path.GetExtension(name) switch
    {
        ".png" => File.ReadAllBytes(CodecFixtures.Path_("grey8.png"))[..33],
        ".jpg" => File.ReadAllBytes(CodecFixtures.Path_("grey.jpg"))[..200],
        ".npy" => File.ReadAllBytes(CodecFixtures.Path_("npy", "float32_le.npy"))[..128],
        _ => File.ReadAllBytes(Path.Combine(CodecFixtures.RepoRoot, "tests", "fixtures", "dicom", "CT_small.dcm"))[..200],
    };

    /// <summary>A seekable stream whose Length claims more bytes than it holds.</summary>
    private sealed class LyingStream(byte[] bytes, long claimed) : MemoryStream(bytes)
    {
        public override long Length => claimed;
    }
}
