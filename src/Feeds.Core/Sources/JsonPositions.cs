using System.Text;
using System.Text.Json;

namespace Feeds.Core.Sources;

/// <summary>
/// Where each value and property name of a JSON text starts, by its path in the file's own spelling
/// (<c>sources[2].url</c>), as 1-based line and column, so a config problem can say <c>feeds.json:42:14</c> and an
/// editor jump there. <see cref="JsonDocument"/> keeps no positions; a <see cref="Utf8JsonReader"/> pass gives the
/// byte offset of every token, which the line starts turn into a line and a column counted in characters.
/// </summary>
internal sealed class JsonPositions
{
    private readonly byte[] _utf8;
    private readonly List<int> _lineStarts = [0];
    private readonly Dictionary<string, int> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _names = new(StringComparer.Ordinal);

    private JsonPositions(byte[] utf8)
    {
        _utf8 = utf8;
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
                _lineStarts.Add(i + 1);
        }
    }

    /// <summary>
    /// The path of the value being read where the text stops being valid JSON (<c>sources[0]</c>); the root when it
    /// is valid or stops at its first token.
    /// </summary>
    public string StoppedAt { get; private set; } = "";

    /// <summary>The positions of a JSON text, read up to where it stops being valid JSON.</summary>
    public static JsonPositions Of(byte[] utf8, JsonReaderOptions options)
    {
        var positions = new JsonPositions(utf8);
        positions.Read(options);
        return positions;
    }

    /// <summary>A property's path below <paramref name="parent"/>: <c>.name</c>, or <c>["odd name"]</c> for a name that is not a plain word.</summary>
    public static string Child(string parent, string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '$' or '-')
            ? parent.Length == 0 ? name : $"{parent}.{name}"
            : $"{parent}[{JsonSerializer.Serialize(name)}]";

    /// <summary>An array element's path below <paramref name="parent"/>: <c>[index]</c>.</summary>
    public static string Element(string parent, int index) => $"{parent}[{index}]";

    /// <summary>
    /// The line and column of the value at <paramref name="path"/> (of its property name with <paramref name="name"/>);
    /// for a path that is not in the file (a missing key), of the nearest enclosing value that is.
    /// </summary>
    public (int Line, int Column) Find(string path, bool name = false)
    {
        if (name && _names.TryGetValue(path, out var nameOffset))
            return LineAndColumn(nameOffset);
        for (var at = path; ; at = Parent(at))
        {
            if (_values.TryGetValue(at, out var offset))
                return LineAndColumn(offset);
            if (at.Length == 0)
                return (1, 1);
        }
    }

    /// <summary>The line and column of a 0-based line and a byte position in it, as <see cref="JsonException"/> gives them.</summary>
    public (int Line, int Column) At(long lineNumber, long bytePositionInLine)
    {
        var line = (int)Math.Clamp(lineNumber, 0, _lineStarts.Count - 1);
        var offset = (int)Math.Min(_lineStarts[line] + bytePositionInLine, _utf8.Length);
        return LineAndColumn(offset);
    }

    private void Read(JsonReaderOptions options)
    {
        var reader = new Utf8JsonReader(_utf8, options);
        // The path of each open object or array, with the next index of an array's elements.
        var open = new Stack<(string Path, bool IsArray, int NextIndex)>();
        string? property = null;
        while (true)
        {
            try
            {
                if (!reader.Read())
                    return;
            }
            catch (JsonException)
            {
                StoppedAt = property ?? (open.Count > 0 ? open.Peek().Path : "");
                return;
            }
            var offset = (int)reader.TokenStartIndex;
            if (reader.TokenType == JsonTokenType.PropertyName)
            {
                property = Child(open.Peek().Path, reader.GetString()!);
                _names.TryAdd(property, offset);
                continue;
            }
            if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
            {
                open.Pop();
                continue;
            }
            var path = ValuePath(open, ref property);
            // A name given twice keeps its first place, as the loader reads the first.
            _values.TryAdd(path, offset);
            if (reader.TokenType == JsonTokenType.StartObject)
                open.Push((path, false, 0));
            else if (reader.TokenType == JsonTokenType.StartArray)
                open.Push((path, true, 0));
        }
    }

    /// <summary>The path of the value the reader is at: the property just named, the next element of an array, or the root.</summary>
    private static string ValuePath(Stack<(string Path, bool IsArray, int NextIndex)> open, ref string? property)
    {
        if (open.Count == 0)
            return "";
        var (parentPath, isArray, next) = open.Pop();
        open.Push((parentPath, isArray, isArray ? next + 1 : next));
        if (isArray)
            return Element(parentPath, next);
        var path = property!;
        property = null;
        return path;
    }

    private (int Line, int Column) LineAndColumn(int offset)
    {
        var line = _lineStarts.BinarySearch(offset);
        if (line < 0)
            line = ~line - 1;
        var start = _lineStarts[line];
        return (line + 1, Encoding.UTF8.GetCharCount(_utf8, start, offset - start) + 1);
    }

    /// <summary>The enclosing path: <c>sources[2].url</c> → <c>sources[2]</c> → <c>sources</c> → the root.</summary>
    private static string Parent(string path)
    {
        if (path.EndsWith(']'))
        {
            var open = path.LastIndexOf('[');
            // A quoted name may hold '[' itself; its opening is the last '["'.
            var quoted = path.LastIndexOf("[\"", StringComparison.Ordinal);
            return path[..(path.EndsWith("\"]", StringComparison.Ordinal) && quoted >= 0 ? quoted : open)];
        }
        var dot = path.LastIndexOf('.');
        return dot < 0 ? "" : path[..dot];
    }
}
