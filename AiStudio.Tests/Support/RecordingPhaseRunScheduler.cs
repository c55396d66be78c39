using System.Collections.Concurrent;
using AiStudio.Core.Execution;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Support;

/// <summary>Stands in for Quartz where a test drives execution itself: it only records which runs were handed over.</summary>
public sealed class RecordingPhaseRunScheduler : IPhaseRunScheduler
{
    private readonly ConcurrentQueue<Guid> _scheduled = new();

    public IReadOnlyCollection<Guid> Scheduled => _scheduled;

    /// <summary>Waits until the outbox has handed <paramref name="runId"/> over (it does so moments after the commit).</summary>
    public Task HandedOverAsync(Guid runId) =>
        Eventually.Until(() => Task.FromResult(_scheduled.Contains(runId)), RunWaits.Timeout, $"run {runId} should be handed to the scheduler");

    /// <summary>The one run handed over so far, once it has been.</summary>
    public async Task<Guid> SingleHandedOverAsync()
    {
        await Eventually.Until(() => Task.FromResult(!_scheduled.IsEmpty), RunWaits.Timeout, "a run should be handed to the scheduler");
        return Assert.Single(_scheduled);
    }

    public Task ScheduleAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        _scheduled.Enqueue(runId);
        return Task.CompletedTask;
    }
}

/// <summary>A <see cref="TestAppHost"/> whose runs are not executed by Quartz: the test calls the executor when it wants.</summary>
public sealed class ManualExecutionFixture : IAsyncLifetime
{
    private TestAppHost? _host;

    public RecordingPhaseRunScheduler Scheduler { get; } = new();

    public TestAppHost Host => _host ?? throw new InvalidOperationException("The host has not started.");

    public async Task InitializeAsync() =>
        _host = await TestAppHost.StartAsync(settings: null, services => services.AddSingleton<IPhaseRunScheduler>(Scheduler));

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}
