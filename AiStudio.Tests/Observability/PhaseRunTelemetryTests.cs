using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using AiStudio.Core.Builds;
using AiStudio.Core.Execution;
using AiStudio.Core.Observability;
using AiStudio.Core.Roles;
using AiStudio.Tests.ModelProviders;
using AiStudio.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiStudio.Tests.Observability;

/// <summary>Real phase runs (Quartz, SQLite, a model over its real protocol) seen through in-process listeners, as OpenTelemetry sees them.</summary>
public sealed class PhaseRunTelemetryTests
{
    private const string Requirements = "Accountants export every month's invoices as one CSV file with number, customer and total.";

    [Fact]
    public async Task PhaseRun_OfflineModel_SpansCarryTokensAndThePhaseDurationIsMeasured()
    {
        await using var app = await TestAppHost.StartAsync();
        using var capture = new TelemetryCapture(app.Get<IMeterFactory>());

        var buildId = await StartBuildAsync(app);
        var run = await app.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval);

        var phaseSpan = await SpanAsync(capture, s => s.OperationName == "aistudio.phase_run" && Tag(s, TelemetryTags.BuildId) == buildId.ToString());
        Assert.Equal((run.Id.ToString(), "Discovery", "QAssistant", "succeeded"), (Tag(phaseSpan, TelemetryTags.PhaseRunId), Tag(phaseSpan, TelemetryTags.Phase), Tag(phaseSpan, TelemetryTags.Role), Tag(phaseSpan, TelemetryTags.Outcome)));

        var modelSpan = await SpanAsync(capture, s => s.TraceId == phaseSpan.TraceId && s.DisplayName.StartsWith("chat ", StringComparison.Ordinal));
        Assert.Equal(phaseSpan.SpanId, modelSpan.ParentSpanId);
        Assert.Equal(ActivityKind.Client, modelSpan.Kind);
        Assert.Equal("chat aistudio-offline-1", modelSpan.DisplayName);
        Assert.Equal(("Offline", "aistudio-offline-1", "QAssistant", "1"), (Tag(modelSpan, TelemetryTags.Provider), Tag(modelSpan, TelemetryTags.Model), Tag(modelSpan, TelemetryTags.Role), Tag(modelSpan, TelemetryTags.PromptVersion)));
        Assert.Equal((run.InputTokens.ToString(), run.OutputTokens.ToString()), (Tag(modelSpan, TelemetryTags.InputTokens), Tag(modelSpan, TelemetryTags.OutputTokens)));
        Assert.Equal("succeeded", Tag(modelSpan, TelemetryTags.Outcome));
        Assert.NotNull(Tag(modelSpan, TelemetryTags.LatencyMs));

        var phaseDuration = await MeasurementAsync(capture, m => m.Instrument == "aistudio.phase_run.duration");
        Assert.Equal(("Discovery", "succeeded"), (phaseDuration[TelemetryTags.Phase], phaseDuration[TelemetryTags.Outcome]));
        Assert.True(phaseDuration.Value > 0, $"duration {phaseDuration.Value} s");

        var inputTokens = await MeasurementAsync(capture, m => m.Instrument == "aistudio.model.tokens" && m[TelemetryTags.TokenType] == "input");
        var outputTokens = await MeasurementAsync(capture, m => m.Instrument == "aistudio.model.tokens" && m[TelemetryTags.TokenType] == "output");
        Assert.Equal((run.InputTokens, run.OutputTokens), ((int)inputTokens.Value, (int)outputTokens.Value));
        Assert.Equal(("QAssistant", "Offline", "aistudio-offline-1"), (inputTokens[TelemetryTags.Role], inputTokens[TelemetryTags.Provider], inputTokens[TelemetryTags.Model]));

        var latency = await MeasurementAsync(capture, m => m.Instrument == "aistudio.model.call.duration");
        Assert.Equal(("QAssistant", "Offline", "aistudio-offline-1", "succeeded"), (latency[TelemetryTags.Role], latency[TelemetryTags.Provider], latency[TelemetryTags.Model], latency[TelemetryTags.Outcome]));
    }

    [Fact]
    public async Task PhaseRun_OpenAiServerReportsUsage_SpanAndTokenCounterCarryThoseTokens()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Usage = (1234, 56);
        await using var app = await TestAppHost.StartAsync(ModelSettings.OpenAi(server.BaseUrl));
        using var capture = new TelemetryCapture(app.Get<IMeterFactory>());

        var buildId = await StartBuildAsync(app);
        await app.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval);

        var phaseSpan = await SpanAsync(capture, s => s.OperationName == "aistudio.phase_run" && Tag(s, TelemetryTags.BuildId) == buildId.ToString());
        var modelSpan = await SpanAsync(capture, s => s.TraceId == phaseSpan.TraceId && s.DisplayName == "chat fake-model");
        Assert.Equal(("OpenAI", "fake-model", "1234", "56"), (Tag(modelSpan, TelemetryTags.Provider), Tag(modelSpan, TelemetryTags.Model), Tag(modelSpan, TelemetryTags.InputTokens), Tag(modelSpan, TelemetryTags.OutputTokens)));

        // The connector's own HTTP call happens inside the model-call span.
        Assert.Single(server.Requests);
        var input = await MeasurementAsync(capture, m => m.Instrument == "aistudio.model.tokens" && m[TelemetryTags.TokenType] == "input");
        Assert.Equal((1234d, "OpenAI", "fake-model"), (input.Value, input[TelemetryTags.Provider], input[TelemetryTags.Model]));
    }

    [Fact]
    public async Task PhaseRun_ModelServerFails_SpansAndDurationSayFailedWithThePlainMessage()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.ErrorStatus = HttpStatusCode.InternalServerError;
        server.ErrorMessage = "The engine is overloaded.";
        await using var app = await TestAppHost.StartAsync(ModelSettings.OpenAi(server.BaseUrl, maxRetries: 1));
        using var capture = new TelemetryCapture(app.Get<IMeterFactory>());

        var buildId = await StartBuildAsync(app);
        var run = await app.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.Failed);
        Assert.Equal(2, server.Requests.Count); // the fault happened: the first call and its one retry were both refused

        var phaseSpan = await SpanAsync(capture, s => s.OperationName == "aistudio.phase_run" && Tag(s, TelemetryTags.BuildId) == buildId.ToString());
        Assert.Equal(("failed", ActivityStatusCode.Error, run.Error), (Tag(phaseSpan, TelemetryTags.Outcome), phaseSpan.Status, phaseSpan.StatusDescription));

        var modelSpan = await SpanAsync(capture, s => s.TraceId == phaseSpan.TraceId && s.DisplayName == "chat fake-model");
        Assert.Equal(("failed", ActivityStatusCode.Error), (Tag(modelSpan, TelemetryTags.Outcome), modelSpan.Status));
        var retry = Assert.Single(modelSpan.Events);
        Assert.Equal("retry", retry.Name);
        Assert.Null(Tag(modelSpan, TelemetryTags.InputTokens));

        var phaseDuration = await MeasurementAsync(capture, m => m.Instrument == "aistudio.phase_run.duration");
        Assert.Equal(("Discovery", "failed"), (phaseDuration[TelemetryTags.Phase], phaseDuration[TelemetryTags.Outcome]));
        var latency = await MeasurementAsync(capture, m => m.Instrument == "aistudio.model.call.duration");
        Assert.Equal("failed", latency[TelemetryTags.Outcome]);
        Assert.DoesNotContain(capture.Measurements, m => m.Instrument == "aistudio.model.tokens");
    }

    [Fact]
    public async Task PhaseRun_Executes_LogsStructuredEntriesWithBuildIdAndTheRunsScopeAndTraceId()
    {
        var logs = new StructuredLogCapture();
        await using var app = await TestAppHost.StartAsync(null, services => services.AddSingleton<ILoggerProvider>(logs));
        using var capture = new TelemetryCapture(app.Get<IMeterFactory>());

        var buildId = await StartBuildAsync(app);
        var run = await app.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval);

        var started = Assert.Single(logs.Entries, e => e.Message.StartsWith("Build ", StringComparison.Ordinal) && e.Message.Contains("started"));
        Assert.Equal(buildId, started.Properties["BuildId"]);
        Assert.Equal(run.Id, started.Properties["PhaseRunId"]);

        var claimed = Assert.Single(logs.Entries, e => e.Category == typeof(PhaseRunExecutor).FullName && e.Message.Contains("claimed"));
        Assert.Equal(LogLevel.Information, claimed.Level);
        Assert.Equal((buildId, run.Id, Phase.Discovery, AiRole.QAssistant), (claimed.Properties["BuildId"], claimed.Properties["PhaseRunId"], claimed.Properties["Phase"], claimed.Properties["Role"]));

        await Eventually.Until(
            () => Task.FromResult(logs.Entries.Any(e => e.Category == typeof(PhaseRunExecutor).FullName && e.Message.Contains("succeeded"))),
            RunWaits.Timeout,
            "the executor should log the run's success");
        var succeeded = logs.Entries.Single(e => e.Category == typeof(PhaseRunExecutor).FullName && e.Message.Contains("succeeded"));
        Assert.Equal((buildId, "aistudio-offline-1", run.InputTokens), (succeeded.Properties["BuildId"], succeeded.Properties["Model"], succeeded.Properties["InputTokens"]));

        // The role runner knows nothing of builds; the run's scope tells which build its entries belong to.
        var finished = Assert.Single(logs.Entries, e => e.Category.EndsWith(".RoleRunner", StringComparison.Ordinal) && e.Message.Contains("finished"));
        Assert.Equal((buildId, run.Id), (finished.ScopeProperties["BuildId"], finished.ScopeProperties["PhaseRunId"]));

        // While a span is recorded, entries carry its trace id, so a log line leads to its trace.
        var phaseSpan = await SpanAsync(capture, s => s.OperationName == "aistudio.phase_run" && Tag(s, TelemetryTags.BuildId) == buildId.ToString());
        Assert.Equal(phaseSpan.TraceId.ToString(), claimed.ScopeProperties["TraceId"]?.ToString());
        Assert.Equal(phaseSpan.TraceId.ToString(), finished.ScopeProperties["TraceId"]?.ToString());
    }

    private static async Task<Guid> StartBuildAsync(TestAppHost app)
    {
        var actor = await app.CreateUserAsync($"{Guid.NewGuid():N}@example.com");
        return await app.Get<IBuildCommands>().StartAsync(actor, new NewBuildRequest("Finance", "Invoice export", Requirements));
    }

    private static string? Tag(Activity span, string name) => span.GetTagItem(name)?.ToString();

    // A span is stopped, and a measurement made, just after the run's outcome is stored: wait for them as for the run.
    private static async Task<Activity> SpanAsync(TelemetryCapture capture, Func<Activity, bool> match)
    {
        await Eventually.Until(() => Task.FromResult(capture.Spans.Any(match)), RunWaits.Timeout,
            () => $"no such span among: {string.Join(", ", capture.Spans.Select(s => s.DisplayName))}");
        return capture.Spans.Single(match);
    }

    private static async Task<TelemetryCapture.Measurement> MeasurementAsync(TelemetryCapture capture, Func<TelemetryCapture.Measurement, bool> match)
    {
        await Eventually.Until(() => Task.FromResult(capture.Measurements.Any(match)), RunWaits.Timeout,
            () => $"no such measurement among: {string.Join(", ", capture.Measurements.Select(m => m.Instrument))}");
        return capture.Measurements.Single(match);
    }
}
