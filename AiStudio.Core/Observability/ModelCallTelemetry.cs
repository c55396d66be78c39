using System.Diagnostics;
using AiStudio.Core.Builds;
using AiStudio.Core.ModelProviders;
using AiStudio.Core.Roles;

namespace AiStudio.Core.Observability;

/// <summary>
/// The span and measurements of one model call (retries included). Made only while something listens; the caller
/// holds it with <c>using</c>, so a call that throws ends as failed, or cancelled when its token was.
/// </summary>
public sealed class ModelCallTelemetry : IDisposable
{
    private readonly AiStudioTelemetry _telemetry;
    private readonly RoleRequest _request;
    private readonly ChatModel _model;
    private readonly CancellationToken _cancellationToken;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly Activity? _activity;
    private bool _ended;

    private ModelCallTelemetry(AiStudioTelemetry telemetry, RoleRequest request, ChatModel model, CancellationToken cancellationToken)
    {
        _telemetry = telemetry;
        _request = request;
        _model = model;
        _cancellationToken = cancellationToken;
        _activity = telemetry.Source.StartActivity($"chat {model.ModelId}", ActivityKind.Client);
        if (_activity is { IsAllDataRequested: true })
        {
            _activity.SetTag(TelemetryTags.OperationName, "chat");
            _activity.SetTag(TelemetryTags.Provider, model.Provider);
            _activity.SetTag(TelemetryTags.Model, model.ModelId);
            _activity.SetTag(TelemetryTags.Role, request.Role.ToString());
            _activity.SetTag(TelemetryTags.Phase, request.Phase.ToString());
            _activity.SetTag(TelemetryTags.Attempt, request.Attempt);
            _activity.SetTag(TelemetryTags.PromptVersion, request.Prompt.Version);
        }
    }

    /// <summary>Null, at no cost, while no span or instrument of <paramref name="telemetry"/> is listened to.</summary>
    public static ModelCallTelemetry? Start(AiStudioTelemetry telemetry, RoleRequest request, ChatModel model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        return telemetry.Source.HasListeners() || telemetry.ModelCallDuration.Enabled || telemetry.ModelTokens.Enabled
            ? new ModelCallTelemetry(telemetry, request, model, cancellationToken)
            : null;
    }

    /// <summary>A retry is an event on the call's span, with the problem that caused it.</summary>
    public void Retrying(int retry, string problem) =>
        _activity?.AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection { ["retry"] = retry, ["problem"] = problem }));

    public void Succeeded(RoleRunOutcome outcome, int retries)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (_activity is { IsAllDataRequested: true })
        {
            _activity.SetTag(TelemetryTags.InputTokens, outcome.InputTokens);
            _activity.SetTag(TelemetryTags.OutputTokens, outcome.OutputTokens);
            _activity.SetTag(TelemetryTags.Retries, retries);
        }

        if (_telemetry.ModelTokens.Enabled)
        {
            var tags = Tags(TelemetryOutcomes.Succeeded);
            tags.Add(TelemetryTags.TokenType, "input");
            _telemetry.ModelTokens.Add(outcome.InputTokens, tags);
            tags = Tags(TelemetryOutcomes.Succeeded);
            tags.Add(TelemetryTags.TokenType, "output");
            _telemetry.ModelTokens.Add(outcome.OutputTokens, tags);
        }

        End(TelemetryOutcomes.Succeeded, outcome.Latency);
    }

    public void Dispose()
    {
        if (!_ended)
        {
            End(_cancellationToken.IsCancellationRequested ? TelemetryOutcomes.Cancelled : TelemetryOutcomes.Failed, Stopwatch.GetElapsedTime(_started));
        }
    }

    private void End(string outcome, TimeSpan latency)
    {
        _ended = true;
        if (_telemetry.ModelCallDuration.Enabled)
        {
            _telemetry.ModelCallDuration.Record(latency.TotalSeconds, Tags(outcome));
        }

        if (_activity is not null)
        {
            _activity.SetTag(TelemetryTags.Outcome, outcome);
            _activity.SetTag(TelemetryTags.LatencyMs, (long)latency.TotalMilliseconds);
            if (outcome == TelemetryOutcomes.Failed)
            {
                _activity.SetStatus(ActivityStatusCode.Error, "The model call failed.");
            }

            _activity.Dispose();
        }
    }

    private TagList Tags(string outcome) => new()
    {
        { TelemetryTags.Role, _request.Role.ToString() },
        { TelemetryTags.Provider, _model.Provider },
        { TelemetryTags.Model, _model.ModelId },
        { TelemetryTags.Outcome, outcome },
    };
}
