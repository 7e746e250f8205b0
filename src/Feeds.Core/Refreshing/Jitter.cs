namespace Feeds.Core.Refreshing;

/// <summary>
/// The chance in the schedule: a fraction in [0, 1) drawn for each spread or backoff so sources on the same
/// schedule drift apart. Injected beside the <see cref="TimeProvider"/> so a test can fix it and know every due
/// time to the millisecond.
/// </summary>
public abstract class Jitter
{
    /// <summary>Fractions from <see cref="System.Random.Shared"/>: the service's own.</summary>
    public static Jitter Random { get; } = new SharedRandomJitter();

    /// <summary>A fraction in [0, 1).</summary>
    public abstract double NextFraction();

    private sealed class SharedRandomJitter : Jitter
    {
        public override double NextFraction() => System.Random.Shared.NextDouble();
    }
}
