using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace AiStudio.Benchmarks.Harness;

/// <summary>
/// Runs a benchmark in this process, or, for one that runs on PostgreSQL (<see cref="IBenchmark.RunsOnPostgreSql"/>), in
/// a child process of the benchmark program: <c>--only NAME --figures PATH</c> makes the program run that one benchmark
/// and write its figures to PATH as JSON instead of the report. The child gets the PostgreSQL server through
/// <see cref="PostgresServer.Variable"/>, so a cluster this process started serves every child.
/// </summary>
public static partial class BenchmarkRunner
{
    public const string FiguresOption = "--figures";

    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static Task<IReadOnlyList<Figure>> RunAsync(IBenchmark benchmark, Scale scale, Progress log, CancellationToken cancellationToken) =>
        benchmark.RunsOnPostgreSql ? RunInChildAsync(benchmark, scale, log, cancellationToken) : benchmark.RunAsync(scale, log, cancellationToken);

    /// <summary>The child's side: runs the one benchmark here and writes what came of it to <paramref name="path"/>.</summary>
    public static async Task<int> RunAsChildAsync(IBenchmark benchmark, Scale scale, string path)
    {
        ChildResult result;
        try
        {
            result = new ChildResult(await benchmark.RunAsync(scale, new Progress(Console.Out), CancellationToken.None), null);
        }
        catch (Exception e)
        {
            result = new ChildResult([], e.ToString());
        }

        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(result, Json));
        return result.Error is null ? 0 : 1;
    }

    private static async Task<IReadOnlyList<Figure>> RunInChildAsync(IBenchmark benchmark, Scale scale, Progress log, CancellationToken cancellationToken)
    {
        var server = await PostgresServer.AdminConnectionStringAsync(cancellationToken);
        var path = Path.Combine(Path.GetTempPath(), $"aistudio-benchmark-{benchmark.Name}-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = BenchmarkProgram.RepositoryRoot(),
        };
        foreach (var argument in new[] { typeof(BenchmarkRunner).Assembly.Location, "--only", benchmark.Name, FiguresOption, path })
        {
            start.ArgumentList.Add(argument);
        }

        if (scale.IsSmoke)
        {
            start.ArgumentList.Add("--smoke");
        }

        start.Environment[PostgresServer.Variable] = server;
        start.Environment[PostgresServer.OriginVariable] = PostgresServer.Origin;
        var tail = new Queue<string>();
        void Forward(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (tail)
            {
                tail.Enqueue(line);
                if (tail.Count > 40)
                {
                    tail.Dequeue();
                }
            }

            // The child stamps its own elapsed time; this process's log stamps its own.
            log.Line(ChildStamp().Replace(line, ""));
        }

        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Forward(e.Data);
        process.ErrorDataReceived += (_, e) => Forward(e.Data);
        try
        {
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await process.WaitForExitAsync(cancellationToken);
            if (!File.Exists(path))
            {
                throw new InvalidOperationException(
                    $"The benchmark's own process ended ({process.ExitCode}) without its figures. Its last lines:\n{string.Join('\n', tail)}");
            }

            var result = JsonSerializer.Deserialize<ChildResult>(await File.ReadAllTextAsync(cancellationToken: cancellationToken, path: path), Json)
                ?? throw new InvalidOperationException($"{path} holds no figures.");
            return result.Error is null ? result.Figures : throw new InvalidOperationException($"In its own process: {result.Error}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            File.Delete(path);
        }
    }

    // dotnet runs the benchmark program's assembly with its own runtimeconfig (server GC), from wherever this process runs.
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath!
        : "dotnet";

    [GeneratedRegex(@"^\[\d\d:\d\d\] ")]
    private static partial Regex ChildStamp();

    private sealed record ChildResult(IReadOnlyList<Figure> Figures, string? Error);
}
