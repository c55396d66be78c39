namespace AiStudio.Benchmarks.Harness;

/// <summary>One benchmark: sets up what it measures, measures it, and returns its figures.</summary>
public interface IBenchmark
{
    /// <summary>The name given to --only.</summary>
    string Name { get; }

    /// <summary>What it measures, as the report's heading says it.</summary>
    string Title { get; }

    /// <summary>
    /// Runs on PostgreSQL, and therefore in a process of its own (<see cref="BenchmarkRunner"/>): the app's compiled EF Core queries
    /// keep the model they first ran with, so one process cannot run the app on SQLite and then on PostgreSQL.
    /// </summary>
    bool RunsOnPostgreSql => false;

    Task<IReadOnlyList<Figure>> RunAsync(Scale scale, Progress log, CancellationToken cancellationToken);
}

/// <summary>Sizes of a run: <see cref="Full"/> for the figures, <see cref="Smoke"/> to prove each benchmark works.</summary>
public sealed record Scale(
    bool IsSmoke,
    int OrchestrationWarmUpBuilds,
    int OrchestrationBuilds,
    int OrchestrationHistoryBuilds,
    int ThroughputBuilds,
    int BoardBuilds,
    int QueryIterations,
    int AuditEvents,
    int VerifyRuns,
    int Circuits,
    int Tokens)
{
    public static readonly Scale Full = new(false, 10, 100, 20_000, 400, 100_000, 200, 1_000_000, 5, 40, 200);

    public static readonly Scale Smoke = new(true, 1, 2, 50, 3, 300, 5, 2_000, 1, 2, 10);
}

/// <summary>Progress lines on the console, with the time since the run began.</summary>
public sealed class Progress(TextWriter writer)
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    public void Line(string text)
    {
        lock (writer)
        {
            writer.WriteLine($"[{_clock.Elapsed:mm\\:ss}] {text}");
            writer.Flush();
        }
    }
}
