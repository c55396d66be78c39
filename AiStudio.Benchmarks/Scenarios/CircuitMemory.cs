using System.Diagnostics;
using AiStudio.Benchmarks.Harness;
using AiStudio.Benchmarks.Web;
using AiStudio.Core.Builds;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AiStudio.Benchmarks.Scenarios;

/// <summary>
/// The server memory one more person with the board open costs: the real app in this process, N real Blazor circuits
/// (pages of one signed-in Chromium, each on the board with its cards), a forced full GC before and after, and the
/// growth of the managed heap (and of the working set) divided by N.
/// </summary>
public sealed class CircuitMemory : IBenchmark
{
    public const int BoardBuilds = 30;

    public string Name => "circuits";

    public string Title => "Memory per connected circuit with the board open";

    public async Task<IReadOnlyList<Figure>> RunAsync(Scale scale, Progress log, CancellationToken cancellationToken)
    {
        await using var app = new WebApp();
        var address = app.StartAndGetAddress();
        await using var browser = await Browser.StartAsync(address);
        const string email = "circuits@example.com";
        var first = await browser.SignUpAsync(email);

        var actor = await app.ActorAsync(email);
        var commands = app.Services.GetRequiredService<IBuildCommands>();
        for (var i = 0; i < BoardBuilds; i++)
        {
            await commands.StartAsync(actor, new NewBuildRequest("Memory", $"Board card {i}", "A build to fill the board."), cancellationToken);
        }

        // Every build's first run goes to the offline model and waits for approval; then the board stops changing.
        await WaitForQuietBoardAsync(app.Services.GetRequiredService<IBuildQueries>(), actor, cancellationToken);
        await first.GetByText($"Board card {BoardBuilds - 1}", new() { Exact = true }).WaitForAsync();

        var withCards = await HeapPerCircuitAsync(browser.Context, scale.Circuits, $"Board card {BoardBuilds - 1}", log);

        // The same for a person whose board is empty: what a circuit costs before any card.
        var empty = await browser.NewContextAsync();
        await browser.SignUpAsync("empty-board@example.com", empty);
        var emptyBoard = await HeapPerCircuitAsync(empty, scale.Circuits, "No builds yet", log);

        var perCard = (withCards.Heap - emptyBoard.Heap) / BoardBuilds * 1024;
        return
        [
            new Figure(Name, "managed heap per circuit", withCards.Heap, "MiB", 1.0,
                Detail: $"{scale.Circuits} circuits on a board of {BoardBuilds} cards; heap {withCards.Before:0.0} → {withCards.After:0.0} MiB after a forced full GC",
                Why: withCards.Heap <= 1.0 ? "" : $"A circuit on an empty board costs {Samples.Format(emptyBoard.Heap)} MiB (the figure below): the circuit, " +
                    $"its scoped services (MudBlazor's among them), the layout's components and the connection's buffers. The {BoardBuilds} cards " +
                    $"add the rest, about {Samples.Format(perCard)} KiB a card (its MudBlazor components and their render-tree frames)."),
            new Figure(Name, "managed heap per circuit, empty board", emptyBoard.Heap, "MiB", null,
                Detail: $"heap {emptyBoard.Before:0.0} → {emptyBoard.After:0.0} MiB"),
            new Figure(Name, "working set per circuit", withCards.WorkingSet, "MiB", null,
                Detail: "process working set growth divided by the circuits (includes memory the GC keeps reserved)"),
        ];
    }

    /// <summary>Opens <paramref name="count"/> more board pages in <paramref name="context"/>; heap and working set growth per page, in MiB.</summary>
    private static async Task<(double Heap, double WorkingSet, double Before, double After)> HeapPerCircuitAsync(
        IBrowserContext context, int count, string shown, Progress log)
    {
        // One more page before the baseline, so that code paths and caches the first circuit warms are not counted.
        var warm = await context.NewPageAsync();
        await Browser.OpenBoardAsync(warm);
        var (heapBefore, workingSetBefore) = Settled();
        log.Line($"   baseline: managed heap {heapBefore / 1048576.0:0.0} MiB, working set {workingSetBefore / 1048576.0:0.0} MiB");

        var pages = new List<IPage>();
        for (var i = 0; i < count; i++)
        {
            var page = await context.NewPageAsync();
            await Browser.OpenBoardAsync(page);
            await page.GetByText(shown, new() { Exact = false }).First.WaitForAsync();
            pages.Add(page);
            if ((i + 1) % 10 == 0)
            {
                log.Line($"   {i + 1}/{count} circuits open");
            }
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        var (heapAfter, workingSetAfter) = Settled();
        log.Line($"   with {count} more circuits: managed heap {heapAfter / 1048576.0:0.0} MiB, working set {workingSetAfter / 1048576.0:0.0} MiB");

        // The pages stay open: a closed one ends its circuit, and a circuit ending during the next measurement would
        // hide part of what that one measures.
        return ((heapAfter - heapBefore) / (double)count / 1048576.0, (workingSetAfter - workingSetBefore) / (double)count / 1048576.0,
            heapBefore / 1048576.0, heapAfter / 1048576.0);
    }

    private static async Task WaitForQuietBoardAsync(IBuildQueries queries, AiStudio.Core.Common.Actor actor, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while ((await queries.GetBoardAsync(actor, cancellationToken)).Any(c => c.RunStatus != PhaseRunStatus.AwaitingApproval))
        {
            if (waited.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException("The board's builds did not all reach 'awaiting approval' in 2 minutes.");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private static (long Heap, long WorkingSet) Settled()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
    }
}
