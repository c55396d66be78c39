using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AiStudio.Core.Observability;

/// <summary>
/// AiStudio's own spans and instruments, on System.Diagnostics only: the web app hands them to OpenTelemetry by name
/// (<see cref="SourceName"/>, <see cref="MeterName"/>). With nothing listening, a span is never created and a
/// measurement is dropped before any tag is built.
/// </summary>
/// <remarks>
/// The meter comes from the host's <see cref="IMeterFactory"/>, so two hosts in one process (tests) keep their
/// measurements apart; spans are told apart by their build and phase-run ids.
/// </remarks>
public sealed class AiStudioTelemetry : IDisposable
{
    public const string SourceName = "AiStudio";
    public const string MeterName = "AiStudio";

    private readonly Meter _meter;

    public AiStudioTelemetry(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        Source = new ActivitySource(SourceName);
        _meter = meters.Create(MeterName);
        ModelTokens = _meter.CreateCounter<long>(
            "aistudio.model.tokens", "{token}", "Tokens sent to and received from models, by gen_ai.token.type (input, output).");
        ModelCallDuration = _meter.CreateHistogram<double>(
            "aistudio.model.call.duration", "s", "How long a model call took, retries included, from the first request to the last piece of text.");
        PhaseRunDuration = _meter.CreateHistogram<double>(
            "aistudio.phase_run.duration", "s", "How long the execution of a phase run took, from its claim to its stored outcome.");
    }

    public ActivitySource Source { get; }

    public Counter<long> ModelTokens { get; }

    public Histogram<double> ModelCallDuration { get; }

    public Histogram<double> PhaseRunDuration { get; }

    public void Dispose()
    {
        Source.Dispose();
        _meter.Dispose();
    }
}

/// <summary>Attribute names on AiStudio's spans and metrics: OpenTelemetry's gen_ai.* where one fits, aistudio.* otherwise.</summary>
public static class TelemetryTags
{
    public const string BuildId = "aistudio.build.id";
    public const string PhaseRunId = "aistudio.phase_run.id";
    public const string Phase = "aistudio.phase";
    public const string Role = "aistudio.role";
    public const string Attempt = "aistudio.attempt";
    public const string Outcome = "aistudio.outcome";
    public const string PromptVersion = "aistudio.prompt.version";
    public const string LatencyMs = "aistudio.model.latency_ms";
    public const string Retries = "aistudio.model.retries";
    public const string OperationName = "gen_ai.operation.name";
    public const string Provider = "gen_ai.provider.name";
    public const string Model = "gen_ai.request.model";
    public const string InputTokens = "gen_ai.usage.input_tokens";
    public const string OutputTokens = "gen_ai.usage.output_tokens";
    public const string TokenType = "gen_ai.token.type";
}

/// <summary>Values of <see cref="TelemetryTags.Outcome"/>.</summary>
public static class TelemetryOutcomes
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    /// <summary>A phase run fired when it was no longer queued or its build was on hold: nothing was executed.</summary>
    public const string Skipped = "skipped";
}
