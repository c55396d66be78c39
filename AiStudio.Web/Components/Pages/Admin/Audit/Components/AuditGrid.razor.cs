using AiStudio.Core.Audit;
using AiStudio.Core.Common;
using AiStudio.Web.Infrastructure;
using Microsoft.AspNetCore.Components;

namespace AiStudio.Web.Components.Pages.Admin.Audit.Components;

public sealed partial class AuditGrid
{
    private static readonly int[] PageSizes = [25, 50, 100, AuditPageRequest.MaxPageSize];

    private AuditFilter? _shownFilter;
    private AuditPage? _page;
    private int _pageSize = AuditPageRequest.DefaultPageSize;
    private string? _error;
    private bool _busy;

    [Inject] private IAuditQueries Queries { get; set; } = default!;
    [Inject] private CurrentActor CurrentActor { get; set; } = default!;

    [Parameter, EditorRequired] public required AuditFilter Filter { get; set; }

    /// <summary>Raised with the service's message when the signed-in user may not read the trail.</summary>
    [Parameter] public EventCallback<string> OnAccessDenied { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        if (!ReferenceEquals(Filter, _shownFilter))
        {
            _shownFilter = Filter;
            await LoadAsync(before: null, after: null);
        }
    }

    private Task NewerAsync() => _page?.NewerCursor is { } after ? LoadAsync(before: null, after) : Task.CompletedTask;

    private Task OlderAsync() => _page?.OlderCursor is { } before ? LoadAsync(before, after: null) : Task.CompletedTask;

    private async Task PageSizeChangedAsync(int size)
    {
        _pageSize = size;
        await LoadAsync(before: null, after: null);
    }

    private async Task LoadAsync(long? before, long? after)
    {
        _busy = true;
        _error = null;
        try
        {
            var actor = await CurrentActor.GetAsync();
            _page = await Queries.GetPageAsync(actor, new AuditPageRequest(Filter, before, after, _pageSize));
        }
        catch (AuditAccessDeniedException ex)
        {
            _page = null;
            _error = ex.Message;
            await OnAccessDenied.InvokeAsync(ex.Message);
        }
        catch (DomainException ex)
        {
            _error = ex.Message;
        }
        finally
        {
            _busy = false;
        }
    }
}
