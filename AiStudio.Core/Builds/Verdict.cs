namespace AiStudio.Core.Builds;

/// <summary>A person's typed decision on an attempt awaiting approval.</summary>
public abstract record Verdict
{
    private Verdict() { }

    /// <summary>Approve; with <paramref name="EditedOutput"/> the person's version is what later phases see.</summary>
    public sealed record Approve(string? EditedOutput = null) : Verdict;

    /// <summary>The same role tries again with the reason in its history.</summary>
    public sealed record Reject(string Reason) : Verdict;

    /// <summary>An earlier phase runs again with the reason; later approvals are superseded, never deleted.</summary>
    public sealed record SendBack(Phase Target, string Reason) : Verdict;
}
