using AiStudio.Benchmarks.Harness;
using AiStudio.Core.Audit;

namespace AiStudio.Benchmarks.Scenarios;

/// <summary><see cref="IAuditChainVerifier.VerifyAsync"/> over the whole sealed trail of a million events.</summary>
public sealed class ChainVerification : IBenchmark
{
    public string Name => "verify";

    public string Title => "Hash-chain verification";

    public async Task<IReadOnlyList<Figure>> RunAsync(Scale scale, Progress log, CancellationToken cancellationToken)
    {
        var (host, admin, _, _) = await SharedAuditTrail.GetAsync(scale.AuditEvents, log);
        var verifier = host.Get<IAuditChainVerifier>();
        AuditChainVerification? result = null;
        var cpu = new Samples();
        var samples = await Samples.MeasureAsync(1, scale.VerifyRuns, async i =>
        {
            var cpuBefore = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            result = await verifier.VerifyAsync(admin, cancellationToken);
            cpu.Add(System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpuBefore);
            log.Line($"   run {i + 1}: {result.Summary}");
        });
        if (result is not { IsIntact: true } || result.EventsVerified < scale.AuditEvents)
        {
            throw new InvalidOperationException($"Verification did not walk the whole intact chain: {result?.Summary}");
        }

        const double target = 2_000;
        return
        [
            new Figure(Name, $"verify {result.EventsVerified:N0} events", samples.Median, "ms", target,
                Detail: $"{samples.Describe()}; {result.EventsVerified / (samples.Median / 1000):N0} events/s",
                Why: samples.Median <= target ? "" : "Each event is read (20 columns, decoded to strings), serialised canonically and hashed " +
                    "with SHA-256; the chain is cut into one segment per core, each on its own connection. " +
                    $"The process used {Samples.Format(cpu.Median)} ms of CPU per run, {cpu.Median / samples.Median:0.0} cores' worth of the " +
                    $"{Environment.ProcessorCount}: the work is CPU-bound, about {cpu.Median * 1000 / result.EventsVerified:0.0} µs of CPU an event, " +
                    "so it scales with cores rather than with the disk."),
            new Figure(Name, "CPU time of the process per verification", cpu.Median, "ms", null,
                Detail: $"{cpu.Describe()} (all threads, warm-up excluded)"),
        ];
    }
}
