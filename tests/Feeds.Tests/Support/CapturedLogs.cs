using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Feeds.Tests.Support;

/// <summary>A logger provider that keeps each line ("Category: message", then the exception's message) for a test to read.</summary>
public sealed class CapturedLogs(ConcurrentQueue<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{category}: {formatter(state, exception)}{(exception is null ? "" : " | " + exception.Message)}");
    }
}
