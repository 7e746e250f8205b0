using System.Globalization;

namespace Feeds.Tests.Durability;

/// <summary>
/// The switch between the quick variants of the durability tests (the default run) and the long ones
/// (<c>FEEDS_LONG_TESTS=1 bash tests/run-all.sh</c>), as documented in the README under "Durability".
/// </summary>
internal static class LongTests
{
    public static bool Enabled => Environment.GetEnvironmentVariable("FEEDS_LONG_TESTS") == "1";

    /// <summary><paramref name="quick"/> by default, <paramref name="thorough"/> with the switch, or the number in <paramref name="overrideVariable"/>.</summary>
    public static int Pick(int quick, int thorough, string? overrideVariable = null) =>
        overrideVariable is not null && int.TryParse(Environment.GetEnvironmentVariable(overrideVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var chosen)
            ? chosen
            : Enabled ? thorough : quick;
}
