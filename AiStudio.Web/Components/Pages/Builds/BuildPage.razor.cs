using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Web.Components.Pages.Builds.Components;
using AiStudio.Web.Infrastructure;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AiStudio.Web.Components.Pages.Builds;

public sealed partial class BuildPage
{
    private Actor? _actor;
    private BuildDetails? _details;
    private bool _loaded;
    private Guid? _pinnedRunId;
    private CoalescingTrigger? _reload;

    [Parameter]
    public Guid BuildId { get; set; }

    [Inject] private IBuildQueries Queries { get; set; } = default!;
    [Inject] private IBuildEvents Events { get; set; } = default!;
    [Inject] private CurrentActor CurrentActor { get; set; } = default!;
    [Inject] private MarkdownRenderer Markdown { get; set; } = default!;
    [Inject] private TimeProvider Clock { get; set; } = default!;

    // The attempt shown in the inspector: the one the person picked, else the current one (followed live).
    private PhaseRunView? SelectedRun =>
        _details?.Runs.FirstOrDefault(r => r.Id == _pinnedRunId) ?? _details?.CurrentRun ?? _details?.Runs.LastOrDefault();

    private string StateText => _details switch
    {
        null => "",
        { State: var state, CurrentRun: var run } when state.AsPhase() is not null && run is not null => $"{state.DisplayName()}: {run.Status.DisplayName()}",
        { State: BuildState.OnHold or BuildState.Failed, CurrentPhase: { } phase } => $"{_details.State.DisplayName()} in {phase}",
        _ => _details.State.DisplayName(),
    };

    private string StartedBy => _details?.CreatedBy == _actor?.DisplayName ? "you" : _details?.CreatedBy ?? "";

    protected override void OnInitialized()
    {
        _reload = new CoalescingTrigger(() => InvokeAsync(ReloadAsync), TimeSpan.FromMilliseconds(100));
        Events.Changed += OnBuildChanged;
    }

    protected override async Task OnParametersSetAsync()
    {
        _actor ??= await CurrentActor.GetAsync();
        if (_details?.Id != BuildId)
        {
            _pinnedRunId = null;
        }

        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        _details = await Queries.GetAsync(_actor!, BuildId);
        _loaded = true;
    }

    private void OnBuildChanged(BuildChanged change)
    {
        if (change.BuildId == BuildId)
        {
            _reload?.Poke();
        }
    }

    private async Task ReloadAsync()
    {
        try
        {
            await LoadAsync();
            StateHasChanged();
        }
        catch (Exception ex)
        {
            await DispatchExceptionAsync(ex);
        }
    }

    private void SelectRun(Guid runId) => _pinnedRunId = runId;

    private void ShowCurrent() => _pinnedRunId = null;

    private async Task AfterDecisionAsync()
    {
        _pinnedRunId = null;
        await LoadAsync();
    }

    public void Dispose()
    {
        Events.Changed -= OnBuildChanged;
        _reload?.Dispose();
    }
}
