using System.Diagnostics;
using AiStudio.Benchmarks.Harness;
using AiStudio.Benchmarks.Scenarios;
using AiStudio.Core.Persistence;

namespace AiStudio.Benchmarks;

/// <summary>
/// dotnet run -c Release --project AiStudio.Benchmarks [-- --only NAME[,NAME]] [--smoke] [--output PATH] [--note TEXT]
/// Runs the benchmarks in turn, prints progress, and writes docs/benchmarks.md from the figures. The PostgreSQL ones use the
/// server in AISTUDIO_BENCHMARK_POSTGRES, or a durable throwaway cluster this program starts and stops (scripts/postgres.sh).
/// </summary>
/// <remarks>Not named Program: the tests reference this project and the web app's Program at once.</remarks>
public static class BenchmarkProgram
{
    public const string Command = "dotnet run -c Release --project AiStudio.Benchmarks";

    public static IReadOnlyList<IBenchmark> All() =>
    [
        new OrchestrationOverhead(DatabaseProvider.Sqlite),
        new OrchestrationOverhead(DatabaseProvider.PostgreSql),
        new BuildThroughput(DatabaseProvider.Sqlite),
        new BuildThroughput(DatabaseProvider.PostgreSql),
        new BoardFirstPage(),
        new AuditPaging(),
        new ChainVerification(),
        new CircuitMemory(),
        new TokenLatency(),
    ];

    public static async Task<int> Main(string[] args)
    {
        var only = Option(args, "--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var smoke = args.Contains("--smoke");
        var output = Option(args, "--output") ?? Path.Combine(RepositoryRoot(), "docs", "benchmarks.md");
        var note = Option(args, "--note");
        var all = All();
        var unknown = only?.Where(n => all.All(b => !b.Name.Equals(n, StringComparison.OrdinalIgnoreCase))).ToList() ?? [];
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"Unknown benchmark {string.Join(", ", unknown)}; choose from {string.Join(", ", all.Select(b => b.Name))}.");
            return 2;
        }

        var selected = all.Where(b => only is null || only.Contains(b.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        if (Option(args, BenchmarkRunner.FiguresOption) is { } figuresPath)
        {
            return await BenchmarkRunner.RunAsChildAsync(selected.Single(), smoke ? Scale.Smoke : Scale.Full, figuresPath);
        }

        var log = new Progress(Console.Out);
        // Other work on the machine shares its cores and disk: the report says how busy it was, sampled every 10 s.
        var loadAtStart = Machine.LoadAverage();
        var highestLoad = loadAtStart;
        using var loadSampler = new Timer(_ => highestLoad = Math.Max(highestLoad, Machine.LoadAverage()), null, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        if (!Debugger.IsAttached && typeof(BenchmarkProgram).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false)
                .OfType<DebuggableAttribute>().Any(d => d.IsJITOptimizerDisabled))
        {
            log.Line("WARNING: a Debug build; run with -c Release for figures worth keeping.");
        }

        var results = new List<(IBenchmark, IReadOnlyList<Figure>, string?)>();
        try
        {
            foreach (var benchmark in selected)
            {
                log.Line($"== {benchmark.Title} ({benchmark.Name})");
                try
                {
                    var figures = await BenchmarkRunner.RunAsync(benchmark, smoke ? Scale.Smoke : Scale.Full, log, CancellationToken.None);
                    foreach (var figure in figures)
                    {
                        log.Line($"   {figure.What}: {figure.ValueText} (target {figure.TargetText}) {figure.Verdict} {figure.Detail}");
                    }

                    results.Add((benchmark, figures, null));
                }
                catch (Exception ex)
                {
                    log.Line($"   FAILED: {ex}");
                    results.Add((benchmark, [], ex.ToString()));
                }
            }
        }
        finally
        {
            await SharedAuditTrail.DisposeAsync();
            await PostgresServer.StopAsync();
        }

        // The command that reproduces these figures: the note and the output path do not change them.
        var shown = args.Where((a, i) => a is not ("--note" or "--output") && (i == 0 || args[i - 1] is not ("--note" or "--output"))).ToList();
        var command = Command + (shown.Count > 0 ? " -- " + string.Join(' ', shown) : "");
        var machine = Machine.Describe(Path.GetTempPath()) with
        {
            Load = $"{loadAtStart:0.00} at the start, {Machine.LoadAverage():0.00} at the end, {highestLoad:0.00} at the highest",
        };
        var markdown = Report.Markdown(machine, started, clock.Elapsed, command, note, results);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        await File.WriteAllTextAsync(output, markdown);
        log.Line($"Wrote {output}");
        return results.Any(r => r.Item3 is not null) ? 1 : 0;
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    /// <summary>The folder holding AiStudio.sln, found upwards from the working directory or the program.</summary>
    public static string RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "AiStudio.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
