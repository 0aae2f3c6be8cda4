using System.Runtime.InteropServices;

namespace XRayFlow.Core.IO;

/// <summary>What a path names, as the operating system says (not as the file's length or name suggests).</summary>
public enum FileKind
{
    Missing,
    Regular,
    Directory,
    SymbolicLink,
    CharacterDevice,
    BlockDevice,
    Fifo,
    Socket,
    Unknown,
}

/// <summary>The kind, owner and permission bits of a path, from stat(2) (statx on Linux).</summary>
/// <param name="Kind">What the path names.</param>
/// <param name="Mode">The permission bits (mode &amp; 0o7777), or -1 when unknown (Windows).</param>
/// <param name="Owner">The owner's uid, or -1 when unknown.</param>
/// <param name="Length">The size in bytes the file system reports (0 for devices and FIFOs).</param>
public readonly record struct FileFacts(FileKind Kind, int Mode, long Owner, long Length)
{
    public bool IsGroupOrWorldWritable => Mode >= 0 && (Mode & 0b000_010_010) != 0;
}

/// <summary>A file that is not what an untrusted path promised: not a regular file, or larger than the bound.</summary>
public sealed class UntrustedFileException(string message) : IOException(message);

/// <summary>
/// Reads files a user, a shared recipe or a manifest names, which are untrusted: only regular files are
/// opened (a FIFO would block the open, /dev/zero never ends, a socket is not data), every read is bounded
/// by a byte count (not by the length the file system reports, which is 0 for devices), and nothing is
/// opened before its kind is known. Symbolic links are followed unless the caller says otherwise.
/// </summary>
public static class UntrustedFile
{
    /// <summary>The kind, owner and mode of <paramref name="path"/>; <paramref name="followLinks"/> false describes a link itself.</summary>
    public static FileFacts Stat(string path, bool followLinks = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0 || path.Contains('\0'))
        {
            return new FileFacts(FileKind.Missing, -1, -1, 0);
        }

        if (OperatingSystem.IsLinux())
        {
            return StatLinux(path, followLinks);
        }

        return StatPortable(path, followLinks);
    }

    /// <summary>The effective uid of this process, or -1 where there is none (Windows).</summary>
    public static long CurrentUser()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            return Native.geteuid();
        }

        return -1;
    }

    /// <summary>
    /// Opens a regular file for reading, refusing anything else with a message that names the path and what
    /// it is. The stream refuses to read more than <paramref name="maxBytes"/> bytes.
    /// </summary>
    /// <exception cref="UntrustedFileException">Not a regular file, or longer than the bound.</exception>
    /// <exception cref="FileNotFoundException">The path does not exist.</exception>
    public static Stream OpenRead(string path, long maxBytes, bool followLinks = true)
    {
        var facts = Stat(path, followLinks);
        RequireRegular(path, facts);
        if (facts.Length > maxBytes)
        {
            throw new UntrustedFileException($"'{path}' is {facts.Length} bytes, more than the {maxBytes} bytes this file may have");
        }

        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return new BoundedReadStream(fs, maxBytes, path);
    }

    /// <summary>All bytes of a regular file of at most <paramref name="maxBytes"/> bytes (see <see cref="OpenRead"/>).</summary>
    public static byte[] ReadAllBytes(string path, long maxBytes, bool followLinks = true)
    {
        using var s = OpenRead(path, maxBytes, followLinks);
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    /// <summary>Throws unless <paramref name="facts"/> describe a regular file.</summary>
    public static void RequireRegular(string path, FileFacts facts)
    {
        switch (facts.Kind)
        {
            case FileKind.Regular:
                return;
            case FileKind.Missing:
                throw new FileNotFoundException($"'{path}' does not exist", path);
            default:
                throw new UntrustedFileException($"'{path}' is {Describe(facts.Kind)}, not a regular file");
        }
    }

    /// <summary>
    /// Gives the finished file <paramref name="temp"/> the name <paramref name="destination"/> unless a file of
    /// that name exists, atomically: of several callers publishing at once exactly one returns true, and a file
    /// already there is never replaced. False when one was there (the caller then reads it). <paramref name="temp"/>
    /// is left for the caller to delete. On Unix this is link(2), which fails with EEXIST; File.Move(overwrite:
    /// false) is not enough, since on Unix it checks for the destination and then renames, so two callers can both
    /// succeed and the second silently replaces the first's file. File systems without hard links (EPERM, ENOTSUP,
    /// EXDEV, EMLINK, ENOSYS) fall back to that check-then-rename.
    /// </summary>
    public static bool PublishNew(string temp, string destination)
    {
        if (!OperatingSystem.IsWindows())
        {
            if (Native.link(temp, destination) == 0)
            {
                return true;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == EExist)
            {
                return false;
            }

            if (errno is not (1 /* EPERM */ or 95 /* ENOTSUP */ or 18 /* EXDEV */ or 31 /* EMLINK */ or 38 /* ENOSYS */ or 45 /* ENOTSUP, macOS */ or 78 /* ENOSYS, macOS */))
            {
                throw new IOException($"cannot create '{destination}' (errno {errno})");
            }
        }

        try
        {
            File.Move(temp, destination, overwrite: false);
            return true;
        }
        catch (IOException) when (Stat(destination, followLinks: false).Kind != FileKind.Missing)
        {
            return false;
        }
    }

    private const int EExist = 17;

    /// <summary>"a directory", "a FIFO (named pipe)", ... for messages.</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Missing => "missing",
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.SymbolicLink => "a symbolic link",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.Socket => "a socket",
        _ => "not a regular file",
    };

    private static FileKind KindOfMode(int fullMode) => (fullMode & 0xF000) switch
    {
        0x8000 => FileKind.Regular,
        0x4000 => FileKind.Directory,
        0xA000 => FileKind.SymbolicLink,
        0x2000 => FileKind.CharacterDevice,
        0x6000 => FileKind.BlockDevice,
        0x1000 => FileKind.Fifo,
        0xC000 => FileKind.Socket,
        _ => FileKind.Unknown,
    };

    private static FileFacts StatLinux(string path, bool followLinks)
    {
        // statx's buffer has one layout on every Linux architecture (unlike struct stat).
        Span<byte> buffer = stackalloc byte[256];
        const int AtFdCwd = -100;
        const int AtSymlinkNoFollow = 0x100;
        const uint StatxBasicStats = 0x7ff;
        int rc = Native.statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxBasicStats, ref MemoryMarshal.GetReference(buffer));
        if (rc != 0)
        {
            return new FileFacts(FileKind.Missing, -1, -1, 0);
        }

        uint uid = BitConverter.ToUInt32(buffer[20..]);
        ushort mode = BitConverter.ToUInt16(buffer[28..]);
        long size = BitConverter.ToInt64(buffer[40..]);
        return new FileFacts(KindOfMode(mode), mode & 0xFFF, uid, size);
    }

    private static FileFacts StatPortable(string path, bool followLinks)
    {
        // Elsewhere (macOS, Windows): what .NET can tell. Devices and FIFOs are rare there; a length of 0
        // with no extension is still bounded by the stream.
        FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
        if (!info.Exists)
        {
            return new FileFacts(FileKind.Missing, -1, -1, 0);
        }

        if (!followLinks && info.LinkTarget is not null)
        {
            return new FileFacts(FileKind.SymbolicLink, -1, -1, 0);
        }

        if (info is DirectoryInfo)
        {
            return new FileFacts(FileKind.Directory, -1, -1, 0);
        }

        int mode = OperatingSystem.IsWindows() ? -1 : (int)File.GetUnixFileMode(path);
        return new FileFacts(FileKind.Regular, mode, -1, ((FileInfo)info).Length);
    }

    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, ref byte buffer);

        [DllImport("libc")]
        public static extern uint geteuid();

        [DllImport("libc", SetLastError = true)]
        public static extern int link([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);
    }

    /// <summary>A read-only stream that throws once more than its bound would be read.</summary>
    private sealed class BoundedReadStream(Stream inner, long max, string path) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (buffer.Length == 0)
            {
                return 0;
            }

            // Ask for one byte more than the bound allows, so a file that grows past it is caught.
            long allowed = max - _read + 1;
            var slice = allowed < buffer.Length ? buffer[..(int)allowed] : buffer;
            int n = inner.Read(slice);
            _read += n;
            if (_read > max)
            {
                throw new UntrustedFileException($"'{path}' holds more than the {max} bytes this file may have");
            }

            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
