using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AiStudio.Tests.Security;

/// <summary>
/// Keeps everything a log sink could write: category, message, every structured value, the exception with its
/// stack and inner exceptions, and the text of every scope. Registered with a Trace filter of its own, so every
/// category reaches it whatever the app's Logging settings say.
/// </summary>
internal sealed class CapturingAllLogsProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _entries = new();

    public IReadOnlyList<string> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            entries.Enqueue($"{category} scope: {state}{Values(state)}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue($"{logLevel} {category}[{eventId}]: {formatter(state, exception)}{Values(state)} {exception}");

        private static string Values(object? state) => state is IEnumerable<KeyValuePair<string, object?>> pairs
            ? " {" + string.Join(", ", pairs.Select(p => $"{p.Key}={Describe(p.Value)}")) + "}"
            : "";

        private static string Describe(object? value) => value switch
        {
            null => "",
            string text => text,
            System.Collections.IEnumerable items => string.Join("|", items.Cast<object?>()),
            _ => value.ToString() ?? "",
        };
    }
}
