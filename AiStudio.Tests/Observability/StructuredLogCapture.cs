using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AiStudio.Tests.Observability;

/// <summary>Keeps each log entry's named properties and those of the scopes it was written in, as a structured sink would.</summary>
internal sealed class StructuredLogCapture : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<Entry> _entries = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<Entry> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private static IReadOnlyDictionary<string, object?> Properties(object? state) =>
        state is IEnumerable<KeyValuePair<string, object?>> pairs
            ? pairs.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value)
            : new Dictionary<string, object?>();

    public sealed record Entry(
        string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Properties, IReadOnlyDictionary<string, object?> ScopeProperties);

    private sealed class Logger(StructuredLogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => capture._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new Dictionary<string, object?>();
            capture._scopes.ForEachScope(
                (scope, into) =>
                {
                    foreach (var (key, value) in Properties(scope))
                    {
                        into[key] = value;
                    }
                },
                scopes);
            capture._entries.Enqueue(new Entry(category, logLevel, formatter(state, exception), Properties(state), scopes));
        }
    }
}
