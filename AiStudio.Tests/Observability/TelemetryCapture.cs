using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using AiStudio.Core.Observability;

namespace AiStudio.Tests.Observability;

/// <summary>
/// Listens in-process, as OpenTelemetry would, to AiStudio's spans and to the instruments of one host's meter (the
/// host's IMeterFactory tells its measurements from those of other tests' hosts running at the same time).
/// </summary>
internal sealed class TelemetryCapture : IDisposable
{
    private readonly ActivityListener _spans;
    private readonly MeterListener _meters = new();
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ConcurrentQueue<Measurement> _measurements = new();

    public TelemetryCapture(IMeterFactory hostMeters)
    {
        _spans = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AiStudioTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_spans);

        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == AiStudioTelemetry.MeterName && ReferenceEquals(instrument.Meter.Scope, hostMeters))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => _measurements.Enqueue(new(instrument.Name, value, Tags(tags))));
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _measurements.Enqueue(new(instrument.Name, value, Tags(tags))));
        _meters.Start();
    }

    public IReadOnlyList<Activity> Spans => [.. _stopped];

    public IReadOnlyList<Measurement> Measurements => [.. _measurements];

    public void Dispose()
    {
        _spans.Dispose();
        _meters.Dispose();
    }

    private static Dictionary<string, string?> Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, string?>();
        foreach (var (key, value) in tags)
        {
            copy[key] = value?.ToString();
        }

        return copy;
    }

    public sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, string?> Tags)
    {
        public string? this[string tag] => Tags.GetValueOrDefault(tag);
    }
}
