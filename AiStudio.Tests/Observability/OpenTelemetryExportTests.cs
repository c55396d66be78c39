using System.Net;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Identity;
using AiStudio.Core.Persistence;
using AiStudio.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace AiStudio.Tests.Observability;

/// <summary>The real web app exporting over OTLP/HTTP to a receiver on loopback when configured, and exporting nothing when not.</summary>
[Collection(AloneCollection.Name)]
public sealed class OpenTelemetryExportTests
{
    [Fact]
    public async Task OtlpEndpointConfigured_TracesAndMetricsOfRequestsAndPhaseRunsArriveAtTheReceiver()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var serviceName = $"aistudio-test-{Guid.NewGuid():N}";
        await using var factory = new AiStudioWebFactory(new Dictionary<string, string?>
        {
            ["OpenTelemetry:OtlpEndpoint"] = receiver.BaseUrl,
            ["OpenTelemetry:ServiceName"] = serviceName,

            // The SDK's standard settings, read from configuration: export every fraction of a second, not every 5 s and 60 s.
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
        });
        using var client = new HttpClient { BaseAddress = factory.StartAndGetAddress() };

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("")).StatusCode);
        var (buildId, runId) = await RunDiscoveryAsync(factory);

        await Eventually.Until(
            () => Task.FromResult(receiver.Exports.Any(e => e.Signal == "traces" && e.Carries(serviceName) && e.Carries(buildId.ToString()))),
            RunWaits.Timeout,
            () => $"the phase run's span should be exported; received {Describe(receiver)}");
        var traces = receiver.Exports.Where(e => e.Signal == "traces" && e.Carries(serviceName)).ToList();
        Assert.All(traces, e => Assert.Equal("application/x-protobuf", e.ContentType));
        Assert.Contains(traces, e => e.Carries("aistudio.phase_run") && e.Carries(runId.ToString()));
        Assert.Contains(traces, e => e.Carries("chat aistudio-offline-1") && e.Carries("gen_ai.usage.output_tokens"));
        Assert.Contains(traces, e => e.Carries("http.request.method")); // the incoming request's span

        await Eventually.Until(
            () => Task.FromResult(receiver.Exports.Any(e => e.Signal == "metrics" && e.Carries(serviceName)
                && e.Carries("aistudio.phase_run.duration") && e.Carries("aistudio.model.tokens") && e.Carries("http.server.request.duration"))),
            RunWaits.Timeout,
            () => $"the phase and request metrics should be exported; received {Describe(receiver)}");
    }

    [Fact]
    public async Task NothingConfigured_AppRunsABuildWithNoTelemetryPipeline()
    {
        await using var factory = new AiStudioWebFactory(new Dictionary<string, string?>
        {
            // Whatever the machine's environment says: this test is about the default.
            ["OpenTelemetry:OtlpEndpoint"] = "",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
        });
        using var client = new HttpClient { BaseAddress = factory.StartAndGetAddress() };

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("health/ready")).StatusCode);
        await RunDiscoveryAsync(factory);

        // No provider means no exporter and no listener: nothing can leave the machine, and spans are never made.
        Assert.Null(factory.Services.GetService<TracerProvider>());
        Assert.Null(factory.Services.GetService<MeterProvider>());
    }

    /// <summary>Starts a build as a signed-up user would and waits for its first phase to run on the offline model.</summary>
    private static async Task<(Guid BuildId, Guid RunId)> RunDiscoveryAsync(AiStudioWebFactory factory)
    {
        var email = $"{Guid.NewGuid():N}@example.com";
        string userId;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true };
            var created = await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().CreateAsync(user, "Passw0rd!-long-enough");
            Assert.True(created.Succeeded, string.Join(" ", created.Errors.Select(e => e.Description)));
            userId = user.Id;
        }

        var buildId = await factory.Services.GetRequiredService<IBuildCommands>().StartAsync(
            new Actor(userId, email), new NewBuildRequest("Telemetry", "Invoice export", "Accountants export invoices as one CSV file."));
        var contexts = factory.Services.GetRequiredService<IDbContextFactory<AiStudioDbContext>>();
        PhaseRun? run = null;
        await Eventually.Until(
            async () =>
            {
                await using var db = await contexts.CreateDbContextAsync();
                run = await db.PhaseRuns.AsNoTracking().SingleOrDefaultAsync(r => r.BuildId == buildId);
                return run?.Status == PhaseRunStatus.AwaitingApproval;
            },
            RunWaits.Timeout,
            () => $"Discovery should await approval; it is {run?.Status.ToString() ?? "missing"}");
        return (buildId, run!.Id);
    }

    private static string Describe(OtlpReceiver receiver) =>
        string.Join(", ", receiver.Exports.Select(e => $"{e.Signal} ({e.Body.Length} bytes)")) is { Length: > 0 } list ? list : "nothing";
}

/// <summary>
/// OpenTelemetry's meter provider listens to every meter named AiStudio in the process, whichever host's IMeterFactory
/// made it, and drops a metric from its exports once any of those meters is disposed: another test's host stopping
/// during the export test took the app's phase-run and token metrics out of every later export. Tests in this
/// collection run alone, after the parallel ones, with no other host in the process.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "Alone in the process";
}
