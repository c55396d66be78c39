using System.Collections.Concurrent;
using System.Text;
using AiStudio.Core.Outbox;

namespace AiStudio.Core.Builds;

/// <summary>Written to the outbox with the change it reports; open pages re-read the build when it is handed on.</summary>
public sealed record BuildChanged(Guid BuildId, Guid ProjectId, BuildState State, string What) : IOutboxNotice
{
    public static string Kind => "build.changed";
}

/// <param name="Restarted">The model's stream broke and starts again: drop the text shown so far before appending <paramref name="Delta"/>.</param>
public sealed record RunOutputStreamed(Guid BuildId, Guid RunId, string Delta, bool Restarted = false);

/// <summary>
/// In-process notifications that a build changed or a run streamed text. Components subscribe and
/// re-render; they re-read through the services, so a notification carries no data they must trust.
/// Many nodes would carry these through Redis (see docs); one node needs nothing more.
/// </summary>
public interface IBuildEvents
{
    event Action<BuildChanged>? Changed;
    event Action<RunOutputStreamed>? OutputStreamed;
    void Publish(BuildChanged change);
    void Publish(RunOutputStreamed output);

    /// <summary>The text a running attempt has streamed so far, so a page opened mid-stream can catch up.</summary>
    string? StreamedSoFar(Guid runId);

    void EndStream(Guid runId);
}

internal sealed class InProcessBuildEvents : IBuildEvents
{
    private readonly ConcurrentDictionary<Guid, StringBuilder> _streams = new();

    public event Action<BuildChanged>? Changed;
    public event Action<RunOutputStreamed>? OutputStreamed;

    public void Publish(BuildChanged change) => Changed?.Invoke(change);

    public void Publish(RunOutputStreamed output)
    {
        var text = _streams.GetOrAdd(output.RunId, _ => new StringBuilder());
        lock (text)
        {
            if (output.Restarted)
            {
                text.Clear();
            }

            text.Append(output.Delta);
        }

        OutputStreamed?.Invoke(output);
    }

    public string? StreamedSoFar(Guid runId)
    {
        if (!_streams.TryGetValue(runId, out var text))
        {
            return null;
        }

        lock (text)
        {
            return text.ToString();
        }
    }

    public void EndStream(Guid runId) => _streams.TryRemove(runId, out _);
}
