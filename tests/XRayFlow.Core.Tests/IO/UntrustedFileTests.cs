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
    public void A_file_longer_than_its_bound_is_refused_before_opening()
    {
        string p = Path.Combine(_dir, "a.bin");
        File.WriteAllBytes(p, [1, 2, 3]);
        var e = Assert.Throws<UntrustedFileException>(() => UntrustedFile.OpenRead(p, 2));
        Assert.Equal($"'{p}' is 3 bytes, more than the 2 bytes this file may have", e.Message);
    }

    [Fact]
    public void A_file_whose_reported_length_is_wrong_is_still_bounded()
    {
        // /proc files are regular files of length 0 that hold text: only the stream's own count bounds them, and a
        // read that stops at the bound would return the first bytes as if they were the whole file.
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        Assert.Equal((FileKind.Regular, 0L), (UntrustedFile.Stat("/proc/self/status").Kind, UntrustedFile.Stat("/proc/self/status").Length));
        var e = Assert.Throws<UntrustedFileException>(() => UntrustedFile.ReadAllBytes("/proc/self/status", 16));
        Assert.Equal("'/proc/self/status' holds more than the 16 bytes this file may have", e.Message);
    }

    [Fact]
    public void A_path_with_a_nul_is_missing_not_the_file_before_the_nul()
    {
        string p = Path.Combine(_dir, "a.bin");
        File.WriteAllBytes(p, [1]);
        Assert.Equal(FileKind.Missing, UntrustedFile.Stat(p + "\0.png").Kind);
        Assert.Throws<FileNotFoundException>(() => UntrustedFile.OpenRead(p + "\0.png", 10));
    }

    [Fact]
    public void The_owner_is_the_files_user_not_its_group()
    {
        if (!OperatingSystem.IsLinux() || UntrustedFile.CurrentUser() != 0)
        {
            return; // only root can give a file away
        }

        string p = Path.Combine(_dir, "owned.bin");
        File.WriteAllBytes(p, [1]);
        using (var chown = Process.Start(new ProcessStartInfo("chown", ["1234:5678", p]) { UseShellExecute = false })!)
        {
            chown.WaitForExit();
            Assert.Equal(0, chown.ExitCode);
        }

        Assert.Equal(1234, UntrustedFile.Stat(p).Owner);
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
