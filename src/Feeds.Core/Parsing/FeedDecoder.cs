using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace Feeds.Core.Parsing;

/// <summary>
/// Bytes → text, the way XML 1.0 Appendix F, RFC 7303 §3 and real feeds want it: a byte order mark wins; else
/// UTF-16/32 recognised from how <c>&lt;?xml</c> is spelled (16-bit text cannot be in an 8-bit charset, whatever
/// a header says); else the HTTP <c>charset</c> parameter, which RFC 7303 §3 ranks above the declaration; else
/// the declaration's <c>encoding</c> (any IANA name or DOS/Windows code page); else UTF-8. Bytes that are not
/// valid in that encoding are read as windows-1252, the encoding such feeds almost always really are: in UTF-8 byte by
/// byte (the rest stays UTF-8), in other encodings the whole document. C1 controls in the text are windows-1252's
/// characters too (<see cref="MapC1ControlsToWindows1252"/>).
/// </summary>
internal static partial class FeedDecoder
{
    private static readonly Encoding Windows1252;

    /// <summary>What windows-1252 makes of the bytes 0x80–0x9F (its undefined ones map to themselves).</summary>
    private static readonly char[] Windows1252C1;

    /// <summary>
    /// Texts up to this many characters (most feeds) use the shared pool. A larger one, up to a 15 MiB body's 32 MB,
    /// gets a buffer of its own: kept in a pool it would stay resident for good after the first large document, and
    /// the collection that follows each large document (<c>IngestGate</c>) gives it back.
    /// </summary>
    private const int LargeText = 1024 * 1024;

    static FeedDecoder()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        Windows1252 = Encoding.GetEncoding(1252);
        Windows1252C1 = Enumerable.Range(0x80, 32)
            .Select(b => Windows1252.GetChars([(byte)b]) is [var c] && c != '\uFFFD' ? c : (char)b).ToArray();
    }

    /// <param name="bytes">The document.</param>
    /// <param name="httpCharset">The <c>charset</c> of the response's Content-Type, when the bytes were fetched.</param>
    /// <returns>
    /// The text, to be disposed when read (a pooled buffer for most feeds): a 1,000-item feed is
    /// ~12 MB of text, and a fresh string for every poll would be a large-object allocation, which only a full
    /// collection gives back.
    /// </returns>
    public static DecodedText Decode(ReadOnlySpan<byte> bytes, string? httpCharset = null)
    {
        var (encoding, bomLength) = FromByteOrderMark(bytes);
        encoding ??= FromLayout(bytes)
            ?? (string.IsNullOrWhiteSpace(httpCharset) ? null : ByName(httpCharset))
            ?? Declared(bytes)
            ?? Encoding.UTF8;
        var body = bytes[bomLength..];
        var capacity = Math.Max(encoding.GetMaxCharCount(body.Length), Windows1252.GetMaxCharCount(body.Length));
        var pool = capacity <= LargeText ? ArrayPool<char>.Shared : null;
        var buffer = pool?.Rent(capacity) ?? GC.AllocateUninitializedArray<char>(capacity);
        try
        {
            int decoded;
            if (encoding is UTF8Encoding)
                decoded = Utf8WithWindows1252Bytes.GetChars(body, buffer);
            else
            {
                try
                {
                    decoded = Strict(encoding).GetChars(body, buffer);
                }
                catch (DecoderFallbackException)
                {
                    decoded = Windows1252.GetChars(body, buffer);
                }
            }
            MapC1ControlsToWindows1252(buffer.AsSpan(0, decoded));
            return new DecodedText(buffer, decoded, pool);
        }
        catch
        {
            pool?.Return(buffer);
            throw;
        }
    }

    /// <summary>
    /// C1 control characters (U+0080–U+009F) as the windows-1252 characters of the same byte, in place. No text means a C1
    /// control: they are what a UTF-8 or ISO-8859-x document holds when its author's windows-1252 punctuation (smart quotes,
    /// dashes, €) went through a latin-1 conversion, and what the WHATWG Encoding standard and feedparser read them as.
    /// The five bytes windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) stay controls, and SafeText drops them later.
    /// </summary>
    internal static void MapC1ControlsToWindows1252(Span<char> text)
    {
        var at = text.IndexOfAnyInRange('\u0080', '\u009F');
        while (at >= 0)
        {
            text[at] = Windows1252C1[text[at] - 0x80];
            var next = text[(at + 1)..].IndexOfAnyInRange('\u0080', '\u009F');
            at = next < 0 ? -1 : at + 1 + next;
        }
    }


    /// <summary>UTF-32 marks first: the UTF-32 LE mark starts with the UTF-16 LE one.</summary>
    private static (Encoding? Encoding, int Length) FromByteOrderMark(ReadOnlySpan<byte> b) => b switch
    {
        [0xFF, 0xFE, 0x00, 0x00, ..] => (new UTF32Encoding(bigEndian: false, byteOrderMark: false), 4),
        [0x00, 0x00, 0xFE, 0xFF, ..] => (new UTF32Encoding(bigEndian: true, byteOrderMark: false), 4),
        [0xEF, 0xBB, 0xBF, ..] => (Encoding.UTF8, 3),
        [0xFF, 0xFE, ..] => (Encoding.Unicode, 2),
        [0xFE, 0xFF, ..] => (Encoding.BigEndianUnicode, 2),
        _ => (null, 0),
    };

    /// <summary>XML 1.0 Appendix F: "&lt;?" (or any '&lt;') written in 2 or 4 bytes without a BOM.</summary>
    private static Encoding? FromLayout(ReadOnlySpan<byte> b) => b switch
    {
        [0x00, 0x00, 0x00, 0x3C, ..] => new UTF32Encoding(bigEndian: true, byteOrderMark: false),
        [0x3C, 0x00, 0x00, 0x00, ..] => new UTF32Encoding(bigEndian: false, byteOrderMark: false),
        [0x00, 0x3C, 0x00, _, ..] => Encoding.BigEndianUnicode,
        [0x3C, 0x00, _, 0x00, ..] => Encoding.Unicode,
        [0x00, 0x20 or 0x0A or 0x0D or 0x09, 0x00, _, ..] => Encoding.BigEndianUnicode,
        [0x20 or 0x0A or 0x0D or 0x09, 0x00, _, 0x00, ..] => Encoding.Unicode,
        _ => null,
    };

    private static Encoding? Declared(ReadOnlySpan<byte> bytes)
    {
        var head = Encoding.Latin1.GetString(bytes[..Math.Min(bytes.Length, 512)]);
        var match = DeclarationEncoding().Match(head);
        return match.Success ? ByName(match.Groups["name"].Value) : null;
    }

    /// <summary>An encoding by IANA name or alias; null when unknown (the caller falls back to UTF-8).</summary>
    public static Encoding? ByName(string name)
    {
        name = name.Trim().ToLowerInvariant();
        // A 16/32-bit name on bytes we already found to be 8-bit is a lie; UTF-8 reads the ASCII part right.
        if (name.StartsWith("utf-16", StringComparison.Ordinal) || name.StartsWith("utf-32", StringComparison.Ordinal) || name is "ucs-2" or "unicode")
            return null;
        // WHATWG Encoding: browsers (and feed authors) mean windows-1252 when they say Latin-1 or ASCII.
        if (name is "iso-8859-1" or "iso8859-1" or "latin1" or "latin-1" or "l1" or "us-ascii" or "ascii" or "iso-ir-100" or "cp819" or "ibm819")
            return Windows1252;
        if (CodePageAlias().Match(name) is { Success: true } codePage)
            return TryGet(int.Parse(codePage.Groups["number"].Value, System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            return Encoding.GetEncoding(name);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static Encoding? TryGet(int codePage)
    {
        try
        {
            return Encoding.GetEncoding(codePage);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>
    /// UTF-8 in which each byte that is not part of a valid sequence is read as windows-1252: a UTF-8 feed with a title
    /// pasted from a windows-1252 editor keeps both its UTF-8 text and its smart quotes, where decoding the whole document
    /// as windows-1252 would turn every UTF-8 character into two or three wrong ones ("Ã©").
    /// </summary>
    private static readonly Encoding Utf8WithWindows1252Bytes =
        Encoding.GetEncoding("utf-8", EncoderFallback.ReplacementFallback, new Windows1252ByteFallback());

    private sealed class Windows1252ByteFallback : DecoderFallback
    {
        public override int MaxCharCount => 4; // UTF-8 gives up on at most 4 bytes at once

        public override DecoderFallbackBuffer CreateFallbackBuffer() => new Buffer();

        private sealed class Buffer : DecoderFallbackBuffer
        {
            private readonly char[] _chars = new char[4];
            private int _count;
            private int _next;

            public override bool Fallback(byte[] bytesUnknown, int index)
            {
                _count = bytesUnknown.Length;
                _next = 0;
                for (var i = 0; i < _count; i++)
                    _chars[i] = bytesUnknown[i] is >= 0x80 and <= 0x9F ? Windows1252C1[bytesUnknown[i] - 0x80] : (char)bytesUnknown[i];
                return true;
            }

            public override char GetNextChar() => _next < _count ? _chars[_next++] : '\0';

            public override bool MovePrevious()
            {
                if (_next == 0)
                    return false;
                _next--;
                return true;
            }

            public override int Remaining => _count - _next;

            public override void Reset() => _count = _next = 0;
        }
    }

    private static Encoding Strict(Encoding encoding)
    {
        var strict = (Encoding)encoding.Clone();
        strict.DecoderFallback = DecoderFallback.ExceptionFallback;
        return strict;
    }

    [GeneratedRegex(@"^\s*<\?xml[^>]*?encoding\s*=\s*[""'](?<name>[A-Za-z0-9._:+-]+)[""']", RegexOptions.CultureInvariant)]
    private static partial Regex DeclarationEncoding();

    // cp437, ibm850, cspc8codepage437, x-cp1256, windows-1251 are all spelled with the code page number.
    [GeneratedRegex(@"^(?:x-)?(?:cp|ibm|cspc8codepage|cspc|windows-|ms)-?(?<number>\d{3,5})$", RegexOptions.CultureInvariant)]
    private static partial Regex CodePageAlias();
}

/// <summary>Decoded text, in a pooled buffer when <paramref name="pool"/> is given; <see cref="Dispose"/> gives the buffer back, after which <see cref="Text"/> must not be read.</summary>
internal sealed class DecodedText(char[] buffer, int length, ArrayPool<char>? pool) : IDisposable
{
    private char[]? _buffer = buffer;

    public ReadOnlyMemory<char> Text => (_buffer ?? throw new ObjectDisposedException(nameof(DecodedText))).AsMemory(0, length);

    public void Dispose()
    {
        if (_buffer is { } returned)
            pool?.Return(returned);
        _buffer = null;
    }
}
