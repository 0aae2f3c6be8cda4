using System.Globalization;
using XRayFlow.Core.Text;

namespace XRayFlow.Core.Codecs.Npy;

/// <summary>The .npy header: a Python dict literal with exactly 'descr', 'fortran_order' and 'shape'.</summary>
internal static class NpyHeader
{
    /// <summary>
    /// Parse the header, a Python dict literal such as
    /// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 4), }</c>. Only these three keys, with
    /// string / bool / tuple-of-int values, are accepted.
    /// </summary>
    public static (string Descr, bool Fortran, long[] Shape) Parse(string name, string header)
    {
        var p = new HeaderParser(header.TrimEnd('\n', ' ', '\0', '\r', '\t'));
        string? descr = null;
        bool? fortran = null;
        long[]? shape = null;
        try
        {
            p.Expect('{');
            while (true)
            {
                p.SkipSpace();
                if (p.TryConsume('}'))
                {
                    break;
                }

                string key = p.ReadString();
                p.Expect(':');
                switch (key)
                {
                    case "descr":
                        p.SkipSpace();
                        if (p.Peek() is not ('\'' or '"'))
                        {
                            // A valid numpy file, not a corrupt one: a record array (named fields) is no image.
                            throw new ImageDecodeException(name, ".npy dtype is a structured (record) dtype, which is not supported (bool, int8/16/32/64, uint8/16/32/64, float16/32/64, complex64/128 are; save one field, a['x'])");
                        }

                        descr = p.ReadString();
                        break;
                    case "fortran_order":
                        fortran = p.ReadBool();
                        break;
                    case "shape":
                        shape = p.ReadTuple();
                        break;
                    default:
                        throw new FormatException($"unexpected key '{Printable.Excerpt(key)}'");
                }

                p.SkipSpace();
                if (!p.TryConsume(','))
                {
                    p.Expect('}');
                    break;
                }
            }

            p.SkipSpace();
            if (!p.AtEnd)
            {
                throw new FormatException("text after the closing brace");
            }
        }
        catch (FormatException ex)
        {
            throw new ImageDecodeException(name, $"corrupt .npy header: {ex.Message}");
        }

        if (descr is null || fortran is null || shape is null)
        {
            throw new ImageDecodeException(name, "corrupt .npy header: it needs 'descr', 'fortran_order' and 'shape'");
        }

        return (descr, fortran.Value, shape);
    }

    private sealed class HeaderParser(string text)
    {
        private int pos;

        public bool AtEnd => pos >= text.Length;

        public char Peek() => pos < text.Length ? text[pos] : '\0';

        public void SkipSpace()
        {
            while (pos < text.Length && char.IsWhiteSpace(text[pos]))
            {
                pos++;
            }
        }

        public bool TryConsume(char c)
        {
            SkipSpace();
            if (pos < text.Length && text[pos] == c)
            {
                pos++;
                return true;
            }

            return false;
        }

        public void Expect(char c)
        {
            if (!TryConsume(c))
            {
                throw new FormatException($"expected '{c}' at character {pos}");
            }
        }

        public string ReadString()
        {
            SkipSpace();
            char q = Peek();
            if (q is not ('\'' or '"'))
            {
                throw new FormatException($"expected a quoted string at character {pos}");
            }

            int end = text.IndexOf(q, pos + 1);
            if (end < 0)
            {
                throw new FormatException("unterminated string");
            }

            string s = text.Substring(pos + 1, end - pos - 1);
            pos = end + 1;
            return s;
        }

        public bool ReadBool()
        {
            SkipSpace();
            if (text.AsSpan(pos).StartsWith("True", StringComparison.Ordinal))
            {
                pos += 4;
                return true;
            }

            if (text.AsSpan(pos).StartsWith("False", StringComparison.Ordinal))
            {
                pos += 5;
                return false;
            }

            throw new FormatException($"expected True or False at character {pos}");
        }

        public long[] ReadTuple()
        {
            Expect('(');
            var dims = new List<long>();
            while (true)
            {
                SkipSpace();
                if (TryConsume(')'))
                {
                    break;
                }

                int start = pos;
                while (pos < text.Length && char.IsAsciiDigit(text[pos]))
                {
                    pos++;
                }

                // numpy may write '3L' in very old (Python 2) files.
                if (pos < text.Length && text[pos] == 'L')
                {
                    pos++;
                }

                if (!long.TryParse(text.AsSpan(start, pos - start).TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out long d))
                {
                    throw new FormatException($"expected a dimension at character {start}");
                }

                dims.Add(d);
                if (dims.Count > 32)
                {
                    throw new FormatException("too many dimensions");
                }

                if (!TryConsume(','))
                {
                    Expect(')');
                    break;
                }
            }

            return [.. dims];
        }
    }
}
