using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using AiStudio.Core.ApiTokens;
using AiStudio.Tests.Support;

namespace AiStudio.Tests.Faults;

/// <summary>
/// The real web app as its own operating-system process (<c>dotnet AiStudio.Web.dll</c>, as the solution built it),
/// configured through environment variables and listening on a free loopback port. Only a separate process can be
/// killed with SIGKILL without taking the test run with it.
/// </summary>
internal sealed partial class AppProcess : IAsyncDisposable
{
    // A ceiling, not an expectation: on a loaded 2-core machine the app took over a minute to JIT, migrate and listen.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;

    private AppProcess(Process process, ConcurrentQueue<string> output, Uri address)
    {
        _process = process;
        _output = output;
        Address = address;
    }

    public Uri Address { get; }

    public int Id => _process.Id;

    /// <summary>Everything the app wrote to stdout and stderr so far, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    public static async Task<AppProcess> StartAsync(IDictionary<string, string?> settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { WebAppPath() },
            WorkingDirectory = Path.GetDirectoryName(WebAppPath())!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var output = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        DataReceivedEventHandler collect = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            output.Enqueue(e.Data);
            if (ListeningOn().Match(e.Data) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups[1].Value.TrimEnd('/') + "/"));
            }
        };
        process.OutputDataReceived += collect;
        process.ErrorDataReceived += collect;
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("The app exited before it listened."));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            var address = await listening.Task.WaitAsync(StartTimeout);
            return new AppProcess(process, output, address);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            KillQuietly(process);
            throw new InvalidOperationException($"The app did not start listening: {e.Message}\n{string.Join('\n', output)}", e);
        }
    }

    /// <summary>
    /// Prepares the folder's database as the app would (migrations, prompts) with one user of <paramref name="email"/> and
    /// returns a fresh API token of theirs, for driving the process over its REST API.
    /// </summary>
    public static async Task<string> CreateApiTokenAsync(string folder, IDictionary<string, string?> settings, string email)
    {
        await using var host = await TestAppHost.StartAsync(folder, settings);
        var actor = await host.CreateUserAsync(email);
        return (await host.Get<IApiTokenService>().CreateAsync(actor, "fault test")).Plaintext;
    }

    /// <summary>A client of the process's REST API, signed in with <paramref name="token"/>.</summary>
    public HttpClient Api(string token)
    {
        var client = new HttpClient { BaseAddress = Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Sends SIGKILL (Process.Kill on Linux): no shutdown code runs. Returns the exit code the OS reported.</summary>
    public async Task<int> KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            KillQuietly(_process);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        _process.Dispose();
    }

    /// <summary>AiStudio.Web.dll in the web project's own output folder, of the configuration these tests were built in.</summary>
    private static string WebAppPath()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testBin.Name;
        var configuration = testBin.Parent!.Name;
        var root = testBin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "AiStudio.sln")))
        {
            root = root.Parent;
        }

        var path = Path.Combine(root?.FullName ?? throw new InvalidOperationException("AiStudio.sln not found above the test folder."),
            "AiStudio.Web", "bin", configuration, framework, "AiStudio.Web.dll");
        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: build the solution first.");
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningOn();
}
