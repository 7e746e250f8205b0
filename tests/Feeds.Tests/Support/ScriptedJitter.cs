using Feeds.Core.Refreshing;

namespace Feeds.Tests.Support;

/// <summary>Jitter a test chooses: the given fractions in turn, the last one repeated, so every due time is known exactly.</summary>
public sealed class ScriptedJitter(params double[] fractions) : Jitter
{
    private int _next;

    public override double NextFraction() => fractions[Math.Min(_next++, fractions.Length - 1)];
}
