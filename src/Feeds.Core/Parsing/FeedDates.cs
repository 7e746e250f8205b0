using System.Globalization;
using System.Text.RegularExpressions;

namespace Feeds.Core.Parsing;

/// <summary>
/// Reads the dates real feeds write, whatever element they are in: RFC 822/1123 (RSS), W3C-DTF / ISO 8601
/// (Atom, Dublin Core), asctime and Unix <c>date</c> output. A missing zone means UTC. Never throws:
/// a date must never make a feed or an item fail.
/// </summary>
public static partial class FeedDates
{
    private static readonly Dictionary<string, int> Months = new(StringComparer.OrdinalIgnoreCase)
    {
        ["jan"] = 1, ["feb"] = 2, ["mar"] = 3, ["apr"] = 4, ["may"] = 5, ["jun"] = 6,
        ["jul"] = 7, ["aug"] = 8, ["sep"] = 9, ["oct"] = 10, ["nov"] = 11, ["dec"] = 12,
    };

    /// <summary>
    /// Zone names, compared without case ("gmt", "Est"). RFC 822 §5.1: UT, GMT, the four North American zones with their
    /// daylight variants, and the military letters. The letters' signs in RFC 822 are backwards, so RFC 2822 §4.3 reads
    /// every letter but Z as -0000 (UTC); the reference parser keeps RFC 822's values for the ends of the range, A (-1),
    /// M (-12), N (+1) and Y (+12), and so do we. Beyond RFC 822, the names feeds write and feedparser reads: UTC,
    /// the zone-only AT/ET/CT/MT/PT, Atlantic ADT/AST, and Central European MET/MEST. An unknown name means UTC.
    /// </summary>
    private static readonly Dictionary<string, int> ZoneHours = new(StringComparer.OrdinalIgnoreCase)
    {
        ["UT"] = 0, ["UTC"] = 0, ["GMT"] = 0, ["Z"] = 0,
        ["EST"] = -5, ["EDT"] = -4, ["CST"] = -6, ["CDT"] = -5,
        ["MST"] = -7, ["MDT"] = -6, ["PST"] = -8, ["PDT"] = -7,
        ["A"] = -1, ["M"] = -12, ["N"] = 1, ["Y"] = 12,
        ["AT"] = -4, ["ET"] = -5, ["CT"] = -6, ["MT"] = -7, ["PT"] = -8,
        ["ADT"] = -3, ["AST"] = -4, ["MET"] = 1, ["MEST"] = 2,
    };

    public static DateTimeOffset? Parse(string? text) => TryParse(text, out var value) ? value : null;

    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        var trimmed = text.Trim();
        return TryParseIso(trimmed, out value) || TryParseRfc822(trimmed, out value) || TryParseAsctime(trimmed, out value);
    }

    private static bool TryParseIso(string text, out DateTimeOffset value)
    {
        value = default;
        var match = IsoPattern().Match(text);
        if (!match.Success)
            return false;
        var year = Int(match, "year");
        int month = 1, day = 1;
        if (match.Groups["ordinal"].Success)
        {
            var ordinal = Int(match, "ordinal");
            if (year is < 1 or > 9999 || ordinal < 1 || ordinal > (DateTime.IsLeapYear(year) ? 366 : 365))
                return false;
            var date = new DateTime(year, 1, 1).AddDays(ordinal - 1);
            (month, day) = (date.Month, date.Day);
        }
        else
        {
            month = match.Groups["month"].Success ? Int(match, "month") : 1;
            day = match.Groups["day"].Success ? Int(match, "day") : 1;
        }
        var hour = match.Groups["hour"].Success ? Int(match, "hour") : 0;
        var minute = match.Groups["minute"].Success ? Int(match, "minute") : 0;
        var second = match.Groups["second"].Success ? Int(match, "second") : 0;
        var fraction = match.Groups["fraction"].Success ? double.Parse("0." + match.Groups["fraction"].Value, CultureInfo.InvariantCulture) : 0;
        var offset = ParseNumericZone(match.Groups["zone"].Value);
        return offset is not null && TryBuild(year, month, day, hour, minute, second, offset.Value, out value, fraction);
    }

    private static bool TryParseRfc822(string text, out DateTimeOffset value)
    {
        value = default;
        var match = Rfc822Pattern().Match(text);
        if (!match.Success || !TryMonth(match.Groups["month"].Value, out var month))
            return false;
        var year = Int(match, "year");
        if (match.Groups["year"].Value.Length == 2)
            year += year < 50 ? 2000 : 1900; // RFC 2822 §4.3
        var hour = match.Groups["hour"].Success ? Int(match, "hour") : 0;
        var minute = match.Groups["minute"].Success ? Int(match, "minute") : 0;
        var second = match.Groups["second"].Success ? Int(match, "second") : 0;
        var offset = ParseZone(match.Groups["zone"].Value);
        return TryBuild(year, month, Int(match, "day"), hour, minute, second, offset, out value);
    }

    private static bool TryParseAsctime(string text, out DateTimeOffset value)
    {
        value = default;
        var match = AsctimePattern().Match(text);
        if (!match.Success || !TryMonth(match.Groups["month"].Value, out var month))
            return false;
        var offset = ParseZone(match.Groups["zone"].Value);
        return TryBuild(Int(match, "year"), month, Int(match, "day"), Int(match, "hour"), Int(match, "minute"), Int(match, "second"), offset, out value);
    }

    private static bool TryMonth(string name, out int month) =>
        Months.TryGetValue(name.Length >= 3 ? name[..3] : name, out month);

    /// <summary>
    /// An RFC 822 zone: a name (<see cref="ZoneHours"/>), a numeric offset, or a name the wild writes around one
    /// ("GMT+01:00", "UTC-5", "Etc/GMT"): the offset wins, the name before it says only that an offset from UTC follows.
    /// </summary>
    private static TimeSpan ParseZone(string zone)
    {
        if (zone.StartsWith("etc/", StringComparison.OrdinalIgnoreCase))
            zone = zone[4..];
        if (zone.Length == 0)
            return TimeSpan.Zero;
        if (ZoneHours.TryGetValue(zone, out var hours))
            return TimeSpan.FromHours(hours);
        var sign = zone.IndexOfAny(['+', '-']);
        return ParseNumericZone(sign > 0 ? zone[sign..] : zone) ?? TimeSpan.Zero;
    }

    /// <summary>"Z", "+08:00", "+0800", "+08", "-5", or empty (UTC); null when malformed.</summary>
    private static TimeSpan? ParseNumericZone(string zone)
    {
        if (zone.Length == 0 || zone.Equals("Z", StringComparison.OrdinalIgnoreCase) || ZoneHours.ContainsKey(zone))
            return ZoneHours.TryGetValue(zone, out var named) ? TimeSpan.FromHours(named) : TimeSpan.Zero;
        var match = NumericZonePattern().Match(zone);
        if (!match.Success)
            return null;
        var digits = match.Groups["digits"].Value.Replace(":", "", StringComparison.Ordinal);
        var hours = int.Parse(digits.Length <= 2 ? digits : digits[..^2], CultureInfo.InvariantCulture);
        var minutes = digits.Length <= 2 ? 0 : int.Parse(digits[^2..], CultureInfo.InvariantCulture);
        var offset = new TimeSpan(hours, minutes, 0);
        return match.Groups["sign"].Value == "-" ? -offset : offset;
    }

    private static bool TryBuild(int year, int month, int day, int hour, int minute, int second, TimeSpan offset, out DateTimeOffset value, double fraction = 0)
    {
        value = default;
        if (year is < 1 or > 9999 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 24 || minute > 59 || second > 60 || offset.Duration() > TimeSpan.FromHours(14))
            return false;
        // Counted in ticks first: at the ends of DateTime's range ("0001-01-01T00:00+05:00", "9999-12-31T24:00Z")
        // DateTime.AddHours and the DateTimeOffset constructor throw instead of saying no.
        var localTicks = new DateTime(year, month, day).Ticks
            + TimeSpan.TicksPerHour * hour + TimeSpan.TicksPerMinute * minute + TimeSpan.TicksPerSecond * Math.Min(second, 59)
            + (long)Math.Round(fraction * TimeSpan.TicksPerSecond);
        var utcTicks = localTicks - offset.Ticks;
        if (localTicks > DateTime.MaxValue.Ticks || utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
            return false;
        value = new DateTimeOffset(utcTicks, TimeSpan.Zero);
        return true;
    }

    private static int Int(Match match, string group) => int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    // 2003-12-31T10:14:55.123-08:00, 2003-12-31 10:14Z, 20031231T101455Z, 2003-12, 2003, 2003-365
    [GeneratedRegex(@"^(?<year>\d{4})(?:-?(?:(?<ordinal>\d{3})|(?<month>\d{2})(?:-?(?<day>\d{2}))?))?(?:[Tt ]+(?<hour>\d{2}):?(?<minute>\d{2})(?::?(?<second>\d{2})(?:[.,](?<fraction>\d+))?)?)?\s*(?<zone>Z|[+-]\d{1,2}(?::?\d{2})?|[A-Za-z]{1,4})?$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoPattern();

    // [Thu,] 01 Jan 2004 19:48[:21] [GMT|+0000]; weekday optional, wrong or full; full month names; the month before the
    // day ("Thu, Jan 01 2004"); "-" between the parts; a date alone (midnight); a zone around an offset ("GMT+01:00").
    [GeneratedRegex(@"^(?:[A-Za-z]+\.?,?\s*)?(?:(?<day>\d{1,2})[\s-]+(?<month>[A-Za-z]{3,9})\.?|(?<month>[A-Za-z]{3,9})\.?[\s-]+(?<day>\d{1,2})(?:st|nd|rd|th)?,?)[\s-]+(?<year>\d{4}|\d{2})(?:(?:\s+|T|,\s*)(?<hour>\d{1,2}):(?<minute>\d{2})(?::(?<second>\d{2}))?(?:\.\d+)?)?\s*(?<zone>(?:[A-Za-z]{1,5}/)?[A-Za-z]{1,5}(?:[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}:?\d{2}|[+-]\d{1,2})?(?:\s*\(.*\))?$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc822Pattern();

    // asctime "Thu Jan  1 19:48:21 2004" and date(1) "Thu Jan 01 19:48:21 EST 2004"
    [GeneratedRegex(@"^[A-Za-z]{3,9},?\s+(?<month>[A-Za-z]{3,9})\s+(?<day>\d{1,2})\s+(?<hour>\d{1,2}):(?<minute>\d{2}):(?<second>\d{2})\s+(?:(?<zone>[A-Za-z]{1,5}|[+-]\d{4})\s+)?(?<year>\d{4})$", RegexOptions.CultureInvariant)]
    private static partial Regex AsctimePattern();

    [GeneratedRegex(@"^(?<sign>[+-])(?<digits>\d{1,2}(?::?\d{2})?)$")]
    private static partial Regex NumericZonePattern();
}
