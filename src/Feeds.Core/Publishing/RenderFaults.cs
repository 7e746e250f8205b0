using System.Collections.Concurrent;
using Feeds.Core.Metrics;
using Feeds.Core.Normalization;
using Microsoft.Extensions.Logging;

namespace Feeds.Core.Publishing;

/// <summary>A page that had to leave a row out, or that failed, and when: what <c>/healthz</c> reports as degraded.</summary>
public sealed record RenderFault(DateTimeOffset At, string Description);

/// <summary>
/// Remembers the render faults of the last <see cref="Window"/> for readiness, and logs each fault once: a bad row
/// is read on every request of an HTML page, and a line per request would bury everything else in the log.
/// </summary>
public sealed partial class RenderFaults(TimeProvider clock, ILogger<RenderFaults> logger)
{
    /// <summary>How long a fault keeps <c>/healthz</c> degraded after it was last seen.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    /// <summary>Bounds memory when thousands of rows fail: past this many, the record of what was logged starts over.</summary>
    private const int MaxRemembered = 4096;

    private readonly ConcurrentDictionary<string, byte> _logged = new(StringComparer.Ordinal);
    private RenderFault? _latest;

    /// <summary>The latest fault, while it is less than <see cref="Window"/> old.</summary>
    public RenderFault? Recent => Volatile.Read(ref _latest) is { } latest && clock.GetUtcNow() - latest.At < Window ? latest : null;

    /// <summary>A page was served without an item its writer refused.</summary>
    public void NoteLeftOut(string page, LeftOutItem item)
    {
        FeedsMetrics.RecordRenderFault(pageFailed: false);
        Note($"{page} left out item {item.ItemKey} of {item.SourceId}: {item.Reason}");
        if (FirstTime($"item\n{item.SourceId}\n{item.ItemKey}"))
            LogLeftOut(item.SourceId, SafeText.Line(item.ItemKey) ?? "", page, item.Reason);
    }

    /// <summary>A page, or a part of one (a section on the index), could not be rendered at all.</summary>
    public void NotePageFailed(string page, Exception exception)
    {
        FeedsMetrics.RecordRenderFault(pageFailed: true);
        Note($"{page} failed: {exception.GetType().Name}: {exception.Message}");
        if (FirstTime($"page\n{page}\n{exception.GetType().FullName}\n{exception.Message}"))
            LogPageFailed(exception, page);
    }

    private void Note(string description) => Volatile.Write(ref _latest, new RenderFault(clock.GetUtcNow(), description));

    private bool FirstTime(string key)
    {
        if (_logged.Count >= MaxRemembered)
            _logged.Clear();
        return _logged.TryAdd(key, 0);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Item {ItemKey} of {SourceId} cannot be rendered and is left out of {Page} (and other pages, not logged again): {Reason}")]
    private partial void LogLeftOut(string sourceId, string itemKey, string page, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The page {Page} could not be rendered (not logged again while it fails the same way)")]
    private partial void LogPageFailed(Exception exception, string page);
}
