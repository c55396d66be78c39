using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Web.Components.Pages.Builds.Components;
using MudBlazor;
using BuildCardView = AiStudio.Core.Builds.BuildCard;

namespace AiStudio.Web.Components.Pages.Builds;

public sealed partial class Board
{
    private Actor? _actor;
    private IReadOnlyList<BuildCardView>? _cards;
    private IReadOnlySet<Guid>? _projects;
    private CoalescingTrigger? _reload;
    private CoalescingTrigger? _recheckProjects;

    protected override void OnInitialized()
    {
        _reload = new CoalescingTrigger(() => InvokeAsync(ReloadAsync), TimeSpan.FromMilliseconds(150));
        _recheckProjects = new CoalescingTrigger(() => InvokeAsync(RecheckProjectsAsync), TimeSpan.FromMilliseconds(150));
        Events.Changed += OnBuildChanged;
    }

    protected override async Task OnInitializedAsync()
    {
        _actor = await CurrentActor.GetAsync();
        _projects = await Queries.GetVisibleProjectIdsAsync(_actor);
        _cards = await Queries.GetBoardAsync(_actor);
    }

    // Every build changed in the process is published here; only one of this person's projects can move a card, so
    // the board reloads for those. A change in any other project may mean they were just added to it: a cheap look
    // at their memberships decides. The query still decides what they may see.
    private void OnBuildChanged(BuildChanged change)
    {
        if (_projects is null || _projects.Contains(change.ProjectId))
        {
            _reload?.Poke();
        }
        else
        {
            _recheckProjects?.Poke();
        }
    }

    private async Task RecheckProjectsAsync()
    {
        if (_actor is null)
        {
            return;
        }

        try
        {
            var projects = await Queries.GetVisibleProjectIdsAsync(_actor);
            if (projects is null || _projects is null || !projects.SetEquals(_projects))
            {
                _projects = projects;
                await ReloadAsync();
            }
        }
        catch (Exception ex)
        {
            await DispatchExceptionAsync(ex);
        }
    }

    private async Task ReloadAsync()
    {
        if (_actor is null)
        {
            return;
        }

        try
        {
            _cards = await Queries.GetBoardAsync(_actor);
            StateHasChanged();
        }
        catch (Exception ex)
        {
            await DispatchExceptionAsync(ex);
        }
    }

    private async Task OpenNewBuildAsync()
    {
        var options = new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true, CloseOnEscapeKey = true };
        await Dialogs.ShowAsync<NewBuildDialog>("New build", options);
    }

    public void Dispose()
    {
        Events.Changed -= OnBuildChanged;
        _reload?.Dispose();
        _recheckProjects?.Dispose();
    }
}
