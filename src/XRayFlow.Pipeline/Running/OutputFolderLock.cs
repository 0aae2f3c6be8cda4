using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using XRayFlow.Core.IO;
using XRayFlow.Pipeline.Outputs;

namespace XRayFlow.Pipeline.Running;

/// <summary>
/// An exclusive lock on an output folder for the length of one run, so two runs never write one --out at
/// once. The lock is the kernel's flock(2) on the folder itself (released when the process ends, however
/// it ends: a killed run leaves no stale lock); the file <see cref="FileName"/> in the folder holds the
/// holder's process id, so a refused run can name it. On Windows an open-exclusive file is the lock.
/// </summary>
internal sealed class OutputFolderLock : IDisposable
{
    /// <summary>The file naming the holder (removed when the lock is released).</summary>
    public const string FileName = ".xrayflow.lock";

    private readonly string _pidFile;
    private int _fd;
    private int _shardFd = -1;
    private FileStream? _windows;

    private OutputFolderLock(string folder, int fd, FileStream? windows)
    {
        _pidFile = folder.Length == 0 ? string.Empty : Path.Combine(folder, FileName);
        _fd = fd;
        _windows = windows;
    }

    /// <summary>
    /// Takes the lock on <paramref name="folder"/> (an existing folder) and writes this process's id into
    /// <see cref="FileName"/>; null with <paramref name="holder"/> ("process 1234") when another run holds it.
    /// </summary>
    /// <exception cref="IOException">The folder cannot be opened or written.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder cannot be written.</exception>
    public static OutputFolderLock? TryAcquire(string folder, out string holder)
    {
        holder = string.Empty;
        OutputFolderLock taken;
        if (OperatingSystem.IsWindows())
        {
            try
            {
                var fs = new FileStream(Path.Combine(folder, FileName + ".win"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
                taken = new OutputFolderLock(folder, -1, fs);
            }
            catch (IOException) when (File.Exists(Path.Combine(folder, FileName + ".win")))
            {
                holder = Holder(folder);
                return null;
            }
        }
        else
        {
            int fd = Native.open(folder, 0 /* O_RDONLY */);
            if (fd < 0)
            {
                throw new IOException($"cannot open the folder (errno {Marshal.GetLastPInvokeError()})");
            }

            _ = Native.fcntl(fd, 2 /* F_SETFD */, 1 /* FD_CLOEXEC */);
            if (Native.flock(fd, 2 /* LOCK_EX */ | 4 /* LOCK_NB */) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno is 11 or 35) // EWOULDBLOCK on Linux, macOS
                {
                    _ = Native.close(fd);
                    holder = Holder(folder);
                    return null;
                }

                // A file system without flock (some network mounts): run unlocked rather than not at all.
            }

            taken = new OutputFolderLock(folder, fd, null);
        }

        try
        {
            AtomicFile.WriteAllText(taken._pidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        }
        catch
        {
            taken.Dispose();
            throw;
        }

        return taken;
    }

    /// <summary>The lock file of one shard: "<c>.xrayflow.shard-0003-of-0064.lock</c>".</summary>
    public static string ShardFileName(string tag) => $".xrayflow.{tag}.lock";

    /// <summary>
    /// The lock of one shard of a batch whose shards share <paramref name="folder"/>: a shared flock(2) on the
    /// folder (any number of shards at once; a whole run or `merge`, which take it exclusively, wait until they
    /// end) and an exclusive flock on the shard's own file <see cref="ShardFileName"/> (the same shard twice at
    /// once is refused), which holds the holder's process id and host. That file is left in place when the lock
    /// is released (deleting a file others may be about to lock is a race); `merge` removes them.
    /// Null with <paramref name="holder"/> when a whole run or merge holds the folder, or this shard runs already.
    /// </summary>
    /// <exception cref="IOException">The folder or the shard's file cannot be opened or written.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder cannot be written.</exception>
    public static OutputFolderLock? TryAcquireShard(string folder, string tag, out string holder)
    {
        holder = string.Empty;
        string file = Path.Combine(folder, ShardFileName(tag));
        string who = $"{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)} on {Environment.MachineName}\n";
        if (OperatingSystem.IsWindows())
        {
            // Windows: an open-exclusive file per shard (no shared lock on the folder).
            try
            {
                var fs = new FileStream(file + ".win", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
                var w = new OutputFolderLock(string.Empty, -1, fs);
                return w;
            }
            catch (IOException) when (File.Exists(file + ".win"))
            {
                holder = $"shard {tag} of another run";
                return null;
            }
        }

        int dirFd = Native.open(folder, 0 /* O_RDONLY */);
        if (dirFd < 0)
        {
            throw new IOException($"cannot open the folder (errno {Marshal.GetLastPInvokeError()})");
        }

        _ = Native.fcntl(dirFd, 2 /* F_SETFD */, 1 /* FD_CLOEXEC */);
        if (Native.flock(dirFd, 1 /* LOCK_SH */ | 4 /* LOCK_NB */) != 0 && Marshal.GetLastPInvokeError() is 11 or 35)
        {
            _ = Native.close(dirFd);
            holder = Holder(folder);
            return null;
        }

        // The shard's file: created once by a rename (so no process ever opens a half-made one), then opened
        // O_RDWR | O_NOFOLLOW | O_CLOEXEC (Linux numbers; macOS: O_NOFOLLOW 0x100, O_CLOEXEC 0x1000000).
        int fd = -1;
        try
        {
            if (UntrustedFile.Stat(file, followLinks: false).Kind == FileKind.Missing)
            {
                string temp = Path.Combine(folder, $".xrayflow.{tag}.{Guid.NewGuid():N}.lock-new");
                File.WriteAllBytes(temp, []);
                try
                {
                    _ = UntrustedFile.PublishNew(temp, file); // false: another instance of this shard made it first
                }
                finally
                {
                    File.Delete(temp);
                }
            }

            fd = Native.open(file, OperatingSystem.IsMacOS() ? 2 | 0x100 | 0x1000000 : 2 | 0x20000 | 0x80000);
            if (fd < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new IOException($"cannot open '{ShardFileName(tag)}' (errno {errno}{(errno is 40 or 62 ? ": a symbolic link" : string.Empty)})");
            }
        }
        catch
        {
            _ = Native.close(dirFd);
            throw;
        }

        if (Native.flock(fd, 2 /* LOCK_EX */ | 4 /* LOCK_NB */) != 0 && Marshal.GetLastPInvokeError() is 11 or 35)
        {
            _ = Native.close(fd);
            _ = Native.close(dirFd);
            holder = ShardHolder(file, tag);
            return null;
        }

        byte[] bytes = Encoding.UTF8.GetBytes(who);
        if (Native.ftruncate(fd, 0) != 0 || Native.pwrite(fd, bytes, bytes.Length, 0) != bytes.Length)
        {
            int errno = Marshal.GetLastPInvokeError();
            _ = Native.close(fd);
            _ = Native.close(dirFd);
            throw new IOException($"cannot write '{ShardFileName(tag)}' (errno {errno})");
        }

        return new OutputFolderLock(string.Empty, dirFd, null) { _shardFd = fd };
    }

    /// <summary>"process N on HOST, running shard-..." from a shard's lock file.</summary>
    private static string ShardHolder(string file, string tag)
    {
        // Read natively: .NET's own advisory lock on open (a shared flock) would conflict with the holder's.
        int fd = Native.open(file, OperatingSystem.IsMacOS() ? 0x100 | 0x1000000 : 0x20000 | 0x80000 /* O_RDONLY | O_NOFOLLOW | O_CLOEXEC */);
        if (fd < 0)
        {
            return $"another process running {tag}";
        }

        byte[] buffer = new byte[300];
        nint n = Native.read(fd, buffer, buffer.Length);
        _ = Native.close(fd);
        string text = n > 0 ? Encoding.UTF8.GetString(buffer, 0, (int)n).Trim() : string.Empty;
        return text.Length > 0 && text.Length < 280 && char.IsAsciiDigit(text[0]) ? $"process {text}, running {tag}" : $"another process running {tag}";
    }

    /// <summary>Removes the shard lock files shard runs leave (only while the folder is held exclusively: no shard can be running).</summary>
    public static void RemoveShardFiles(string folder)
    {
        try
        {
            var options = new EnumerationOptions { MatchType = MatchType.Simple, AttributesToSkip = 0 };
            foreach (var f in Directory.EnumerateFiles(folder, ".xrayflow.shard-*.lock", options).Concat(Directory.EnumerateFiles(folder, ".xrayflow.shard-*.lock-new", options)))
            {
                try
                {
                    File.Delete(f);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Left in place: harmless.
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An unreadable folder: nothing to remove.
        }
    }

    /// <summary>"process N" from the holder's file, or "another process" when it cannot be read (yet).</summary>
    private static string Holder(string folder)
    {
        try
        {
            string text = Encoding.ASCII.GetString(UntrustedFile.ReadAllBytes(Path.Combine(folder, FileName), 32, followLinks: false)).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? $"process {pid}" : "another process";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return File.Exists(Path.Combine(folder, FileName)) ? "another process" : "another process, or shard runs (--shard) writing into it";
        }
    }

    public void Dispose()
    {
        try
        {
            if (_pidFile.Length > 0)
            {
                File.Delete(_pidFile);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The next holder overwrites it.
        }

        if (_shardFd >= 0)
        {
            _ = Native.close(_shardFd);
            _shardFd = -1;
        }

        if (_fd >= 0)
        {
            _ = Native.close(_fd);
            _fd = -1;
        }

        _windows?.Dispose();
        _windows = null;
    }

    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int flock(int fd, int operation);

        [DllImport("libc", SetLastError = true)]
        public static extern int fcntl(int fd, int cmd, int arg);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int ftruncate(int fd, long length);

        [DllImport("libc", SetLastError = true)]
        public static extern nint read(int fd, byte[] buffer, nint count);

        [DllImport("libc", SetLastError = true)]
        public static extern nint pwrite(int fd, byte[] buffer, nint count, long offset);
    }
}
