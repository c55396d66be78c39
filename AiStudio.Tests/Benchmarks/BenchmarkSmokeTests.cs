using AiStudio.Benchmarks;
using AiStudio.Benchmarks.Harness;
using AiStudio.Benchmarks.Scenarios;

namespace AiStudio.Tests.Benchmarks;

/// <summary>
/// Each benchmark run at tiny sizes, to keep them working: a benchmark checks for itself that it measured what it
/// names (every build reached Complete through six phase runs, the floor's builds left the rows the app's did, the board
/// and audit pages had rows, the chain was walked to its end, every circuit showed the board, the tokens were seen in the
/// page) and throws otherwise. The figures are not judged here.
/// </summary>
/// <remarks>
/// The PostgreSQL benchmarks run on the server the test script provides (<see cref="TestServerVariable"/>), each in a
/// process of its own as the benchmark program runs them; without a server they fail rather than skip, so a run that
/// lost its PostgreSQL cannot pass for a complete one.
/// </remarks>
public sealed class BenchmarkSmokeTests
{
    public const string TestServerVariable = "AISTUDIO_TEST_POSTGRES";

    public static TheoryData<string> Names() => [.. BenchmarkProgram.All().Select(b => b.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public async Task RunAsync_SmokeScale_ReturnsFiguresForEveryTarget(string name)
    {
        var benchmark = BenchmarkProgram.All().Single(b => b.Name == name);
        if (benchmark.RunsOnPostgreSql)
        {
            UseTestServer();
        }

        var output = new StringWriter();
        try
        {
            var figures = await BenchmarkRunner.RunAsync(benchmark, Scale.Smoke, new Progress(output), CancellationToken.None);

            Assert.NotEmpty(figures);
            Assert.Contains(figures, f => f.Target is not null);
            Assert.All(figures, f => Assert.True(double.IsFinite(f.Value), $"{f.What} = {f.Value}"));

            // Timings and rates are positive; a heap difference taken inside the test process, where other tests
            // allocate and collect at the same time, can be anything and is only a figure in the benchmark's own process.
            Assert.All(figures.Where(f => f.Unit != "MiB"), f => Assert.True(f.Value > 0, $"{f.What} = {f.Value}"));
        }
        finally
        {
            await SharedAuditTrail.DisposeAsync();
        }
    }

    /// <summary>The test script's server, passed on as the benchmarks' own; never a cluster started on the side.</summary>
    private static void UseTestServer()
    {
        PostgresServer.MayStartCluster = false;
        if (Environment.GetEnvironmentVariable(TestServerVariable) is { Length: > 0 } server)
        {
            Environment.SetEnvironmentVariable(PostgresServer.Variable, server);
        }

        Assert.False(string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(PostgresServer.Variable)),
            $"This benchmark runs on PostgreSQL and no server was given: test.sh exports {TestServerVariable}; by hand, " +
            $"export {TestServerVariable}=\"$(scripts/postgres.sh start /tmp/aistudio-pg --fast)\".");
    }

    [Fact]
    public void Markdown_MissedTarget_SaysByHowMuchAndWhy()
    {
        var benchmark = BenchmarkProgram.All().First();
        var figure = new Figure(benchmark.Name, "median", 3, "ms", 2, Why: "three commits");

        var text = Report.Markdown(Machine.Describe(Path.GetTempPath()), DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1),
            BenchmarkProgram.Command, null, [(benchmark, [figure], null)]);

        Assert.Contains("missed by 1.00 ms (50 %)", text);
        Assert.Contains("three commits", text);
        Assert.Contains($"| cores | {Environment.ProcessorCount} |", text);
    }

    [Fact]
    public void Markdown_FigureWithoutTargetMarkedForSummary_IsInTheSummary()
    {
        var benchmark = BenchmarkProgram.All().First();
        Figure[] figures =
        [
            new(benchmark.Name, "ratio to the floor", 1.8, "×", null, InSummary: true),
            new(benchmark.Name, "of which Quartz", 0.3, "ms", null),
        ];

        var text = Report.Markdown(Machine.Describe(Path.GetTempPath()), DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1),
            BenchmarkProgram.Command, null, [(benchmark, figures, null)]);

        var summary = text[text.IndexOf("## Summary", StringComparison.Ordinal)..text.IndexOf($"## {benchmark.Title}", StringComparison.Ordinal)];
        Assert.Contains("| ratio to the floor | 1.80 × | (context) |", summary);
        Assert.DoesNotContain("of which Quartz", summary);
    }
}
