using System.Text;
using XRayFlow.Core.Text;

namespace XRayFlow.Cli;

/// <summary>
/// A writer that shows control characters instead of sending them to the terminal: everything a command
/// prints passes through it, so a file name or a DICOM string holding ESC, BEL or CR cannot move the cursor,
/// recolour the terminal or hide a line. Line breaks (and tabs) are kept; every other control character
/// becomes <c>\xNN</c> (<see cref="Printable.Escape"/>).
/// </summary>
internal sealed class PrintableWriter(TextWriter inner) : TextWriter
{
    public override Encoding Encoding => inner.Encoding;

    public override IFormatProvider FormatProvider => inner.FormatProvider;

    public override void Write(char value)
    {
        if (value is '\n' or '\t' || !Printable.IsControl(value))
        {
            inner.Write(value);
        }
        else
        {
            inner.Write(Printable.Escape(value.ToString()));
        }
    }

    public override void Write(string? value)
    {
        if (value is null)
        {
            return;
        }

        int start = 0;
        for (int k = 0; k < value.Length; k++)
        {
            if (value[k] is '\n' or '\t')
            {
                inner.Write(Printable.Escape(value[start..k]));
                inner.Write(value[k]);
                start = k + 1;
            }
        }

        inner.Write(Printable.Escape(value[start..]));
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void WriteLine() => inner.WriteLine();

    public override void WriteLine(string? value)
    {
        Write(value);
        inner.WriteLine();
    }

    public override void Flush() => inner.Flush();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Flush();
        }

        base.Dispose(disposing);
    }
}
