using System.Diagnostics;
using XRayFlow.Core.IO;
using Xunit;

namespace XRayFlow.Core.Tests.IO;

public sealed class UntrustedFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xrf-untrusted-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Regular_file_is_read_within_its_bound()
    {
        string p = Path.Combine(_dir, "a.bin");
        File.WriteAllBytes(p, [1, 2, 3]);
        Assert.Equal(FileKind.Regular, UntrustedFile.Stat(p).Kind);
        Assert.Equal(3, UntrustedFile.Stat(p).Length);
        Assert.Equal(new byte[] { 1, 2, 3 }, UntrustedFile.ReadAllBytes(p, 3));
        var e = Assert.Throws<UntrustedFileException>(() => UntrustedFile.ReadAllBytes(p, 2));
        Assert.Contains("more than the 2 bytes", e.Message);
    }

    [Fact]
    public void Devices_directories_and_missing_files_are_refused_before_opening()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        Assert.Equal(FileKind.CharacterDevice, UntrustedFile.Stat("/dev/zero").Kind);
        var e = Assert.Throws<UntrustedFileException>(() => UntrustedFile.ReadAllBytes("/dev/zero", 1 << 20));
        Assert.Contains("a character device", e.Message);
        Assert.Equal(FileKind.Directory, UntrustedFile.Stat(_dir).Kind);
        Assert.Throws<UntrustedFileException>(() => UntrustedFile.OpenRead(_dir, 10));
        Assert.Throws<FileNotFoundException>(() => UntrustedFile.OpenRead(Path.Combine(_dir, "none"), 10));
        Assert.Equal(FileKind.Missing, UntrustedFile.Stat("a\0b").Kind);
    }

    [Fact]
    public void A_fifo_is_refused_without_blocking()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string fifo = Path.Combine(_dir, "pipe");
        using (var p = Process.Start(new ProcessStartInfo("mkfifo", fifo) { UseShellExecute = false })!)
        {
            p.WaitForExit();
        }

        Assert.Equal(FileKind.Fifo, UntrustedFile.Stat(fifo).Kind);
        var e = Assert.Throws<UntrustedFileException>(() => UntrustedFile.OpenRead(fifo, 10));
        Assert.Contains("FIFO", e.Message);
    }

    [Fact]
    public void Links_are_followed_or_described_as_asked()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string target = Path.Combine(_dir, "t.bin");
        File.WriteAllBytes(target, [7]);
        string link = Path.Combine(_dir, "l.bin");
        File.CreateSymbolicLink(link, target);
        Assert.Equal(FileKind.Regular, UntrustedFile.Stat(link).Kind);
        Assert.Equal(FileKind.SymbolicLink, UntrustedFile.Stat(link, followLinks: false).Kind);
        Assert.Throws<UntrustedFileException>(() => UntrustedFile.OpenRead(link, 10, followLinks: false));
        Assert.True(UntrustedFile.Stat(target).Owner >= 0);
        Assert.Equal(UntrustedFile.CurrentUser(), UntrustedFile.Stat(target).Owner);
    }

    [Fact]
    public void PublishNew_never_replaces_a_file_and_exactly_one_of_racing_callers_wins()
    {
        string destination = Path.Combine(_dir, "key");
        File.WriteAllBytes(destination, [1]);
        string mine = Path.Combine(_dir, "mine.tmp");
        File.WriteAllBytes(mine, [2]);
        Assert.False(UntrustedFile.PublishNew(mine, destination));
        Assert.Equal(new byte[] { 1 }, File.ReadAllBytes(destination));

        // Racing callers: with a check-then-rename (File.Move(overwrite: false) on Unix) several win a round
        // and the last one's file replaces the others'. The count of winners must be one.
        const int Callers = 6;
        for (int round = 0; round < 200; round++)
        {
            string target = Path.Combine(_dir, $"r{round}");
            using var start = new Barrier(Callers);
            bool[] won = new bool[Callers];
            Thread[] threads = Enumerable.Range(0, Callers).Select(i => new Thread(() =>
            {
                string temp = Path.Combine(_dir, $"r{round}.{i}.tmp");
                File.WriteAllBytes(temp, [(byte)i]);
                start.SignalAndWait();
                won[i] = UntrustedFile.PublishNew(temp, target);
                File.Delete(temp);
            })).ToArray();
            Array.ForEach(threads, t => t.Start());
            Array.ForEach(threads, t => t.Join());

            int winners = won.Count(w => w);
            Assert.True(winners == 1, $"round {round}: {winners} callers published");
            Assert.Equal(new byte[] { (byte)Array.IndexOf(won, true) }, File.ReadAllBytes(target));
        }
    }
}
