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
    private FileStream? _windows;

    private OutputFolderLock(string folder, int fd, FileStream? windows)
    {
        _pidFile = Path.Combine(folder, FileName);
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
            return "another process";
        }
    }

    public void Dispose()
    {
        try
        {
            File.Delete(_pidFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The next holder overwrites it.
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
    }
}
