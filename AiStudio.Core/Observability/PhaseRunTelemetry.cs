using System.Diagnostics;
using AiStudio.Core.Roles;

namespace AiStudio.Core.Observability;

/// <summary>
/// The span of one execution of a phase run and, once the run is claimed, its duration measurement tagged by phase
/// and outcome. Made only while something listens; held with <c>using</c>, so an escaping exception ends it as failed.
/// </summary>
public sealed class PhaseRunTelemetry : IDisposable
{
    private readonly AiStudioTelemetry _telemetry;
    private readonly CancellationToken _cancellationToken;
    private readonly Activity? _activity;
    private long _claimed;
    private string? _phase;
    private string? _outcome;
    private string? _error;

    private PhaseRunTelemetry(AiStudioTelemetry telemetry, Guid runId, CancellationToken cancellationToken)
    {
        _telemetry = telemetry;
        _cancellationToken = cancellationToken;
        _activity = telemetry.Source.StartActivity("aistudio.phase_run");
        _activity?.SetTag(TelemetryTags.PhaseRunId, runId.ToString());
    }

    /// <summary>Null, at no cost, while neither the span nor the duration histogram is listened to.</summary>
    public static PhaseRunTelemetry? Start(AiStudioTelemetry telemetry, Guid runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        return telemetry.Source.HasListeners() || telemetry.PhaseRunDuration.Enabled
            ? new PhaseRunTelemetry(telemetry, runId, cancellationToken)
            : null;
    }

    public void Claimed(Guid buildId, RoleRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _claimed = Stopwatch.GetTimestamp();
        _phase = request.Phase.ToString();
        if (_activity is not null)
        {
            _activity.SetTag(TelemetryTags.BuildId, buildId.ToString());
            _activity.SetTag(TelemetryTags.Phase, _phase);
            _activity.SetTag(TelemetryTags.Role, request.Role.ToString());
            _activity.SetTag(TelemetryTags.Attempt, request.Attempt);
            _activity.SetTag(TelemetryTags.PromptVersion, request.Prompt.Version);
        }
    }

    public void Skipped() => _outcome = TelemetryOutcomes.Skipped;

    public void Succeeded() => _outcome = TelemetryOutcomes.Succeeded;

    /// <param name="error">The plain message stored with the failed run.</param>
    public void Failed(string error)
    {
        _outcome = TelemetryOutcomes.Failed;
        _error = error;
    }

    public void Dispose()
    {
        var outcome = _outcome ?? (_cancellationToken.IsCancellationRequested ? TelemetryOutcomes.Cancelled : TelemetryOutcomes.Failed);
        if (_phase is not null && _telemetry.PhaseRunDuration.Enabled)
        {
            _telemetry.PhaseRunDuration.Record(
                Stopwatch.GetElapsedTime(_claimed).TotalSeconds,
                new TagList { { TelemetryTags.Phase, _phase }, { TelemetryTags.Outcome, outcome } });
        }

        if (_activity is not null)
        {
            _activity.SetTag(TelemetryTags.Outcome, outcome);
            if (outcome == TelemetryOutcomes.Failed)
            {
                _activity.SetStatus(ActivityStatusCode.Error, _error ?? "The phase run stopped on an error.");
            }

            _activity.Dispose();
        }
    }
}
