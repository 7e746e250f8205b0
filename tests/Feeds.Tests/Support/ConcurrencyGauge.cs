namespace Feeds.Tests.Support;

/// <summary>Counts the handlers running at the same moment and keeps the most seen: how many requests a source server answered at once.</summary>
internal sealed class ConcurrencyGauge
{
    private readonly Lock _lock = new();
    private int _running;
    private int _most;

    /// <summary>The most handlers seen running at once.</summary>
    public int Most
    {
        get
        {
            lock (_lock)
                return _most;
        }
    }

    /// <summary>Runs <paramref name="handler"/>, counted while it runs.</summary>
    public async Task RunAsync(Func<Task> handler)
    {
        lock (_lock)
            _most = Math.Max(_most, ++_running);
        try
        {
            await handler();
        }
        finally
        {
            lock (_lock)
                _running--;
        }
    }
}
