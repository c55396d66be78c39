using AiStudio.Core.Audit;

namespace AiStudio.Tests.Audit;

/// <summary>
/// The canonical form of an event must never change: chains sealed by earlier releases are verified by this one.
/// The expected hashes were computed by the release that first sealed events; a change here breaks every stored chain.
/// </summary>
public sealed class AuditChainHashTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 24, 9, 30, 15, 123, TimeSpan.FromHours(1));

    [Fact]
    public void Compute_EventWithEveryField_HashesAsEarlierReleasesSealedIt()
    {
        var e = AuditEvent.Restore(
            42, At.AddTicks(4567), "user-1", "Åsa Öberg 🚀", AuditActions.RunCompleted, "PhaseRun", "run-7",
            Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), Guid.Parse("7c9e6679-7425-40de-944b-e07fc1f90ae7"),
            "Running", "AwaitingApproval", "Implementation attempt 2 in 12.3 s, 0.001234 USD\nsecond line, with a comma",
            3, "gpt-4o-mini", 1_200, 850, 0.0012340m, null, null, null);

        Assert.Equal("6c2e1b2b21aa3c83fbccae73431a682bb37bb096adc79d483299a946ea0b4d1e", AuditChainHash.Compute(e, 1_000_001, new string('a', 64)));
    }

    [Fact]
    public void Compute_EventWithNullFields_HashesAsEarlierReleasesSealedIt()
    {
        var e = AuditEvent.Restore(7, At, "system", "AiStudio", AuditActions.BuildStarted, "Build", "b-1",
            null, null, null, null, null, null, null, null, null, null, null, null, null);

        Assert.Equal("6fa3db9f287bed85eda147fb4606821e655afc394752dab76aa9e043bac99e61", AuditChainHash.Compute(e, 1, AuditChainHash.Genesis));
    }
}
