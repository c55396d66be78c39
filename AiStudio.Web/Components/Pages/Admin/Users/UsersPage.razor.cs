using AiStudio.Core.Common;
using AiStudio.Core.Users;
using AiStudio.Web.Infrastructure;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AiStudio.Web.Components.Pages.Admin.Users;

public sealed partial class UsersPage
{
    public const int PageSize = 20;

    private Actor? _actor;
    private UserPage? _page;
    private string _search = "";
    private string _appliedSearch = "";
    private string? _refused;
    private string? _error;
    private bool _busy;

    private enum UserAction { Lock, Unlock, Promote, Demote }

    [Inject] private IUserAdminService Users { get; set; } = default!;
    [Inject] private CurrentActor CurrentActor { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    private int PageCount => _page is null ? 0 : (_page.TotalCount + PageSize - 1) / PageSize;

    private string CountText => _page is null ? "" :
        $"{_page.TotalCount:N0} user{(_page.TotalCount == 1 ? "" : "s")}{(_appliedSearch.Length > 0 ? $" matching \"{_appliedSearch}\"" : "")}"
        + (PageCount > 1 ? $", page {_page.Page + 1} of {PageCount}." : ".");

    protected override async Task OnInitializedAsync()
    {
        _actor = await CurrentActor.GetAsync();
        await LoadAsync(0);
    }

    private Task SearchAsync()
    {
        _appliedSearch = _search.Trim();
        return LoadAsync(0);
    }

    private Task GoToPageAsync(int page) => LoadAsync(page - 1);

    private async Task LoadAsync(int page)
    {
        try
        {
            _page = await Users.SearchAsync(_actor!, new UserSearch(_appliedSearch, page, PageSize));
        }
        catch (InputValidationException ex)
        {
            _error = ex.Message;
        }
        catch (DomainException ex)
        {
            // The service decides who may manage users; the page only reports it.
            _refused = ex.Message;
        }
    }

    private async Task ActAsync(UserSummary user, UserAction action)
    {
        if (_actor is null || _busy)
        {
            return;
        }

        _busy = true;
        _error = null;
        try
        {
            await RunAsync(action, user);
            Snackbar.Add(Confirmation(action, user), Severity.Success);
        }
        catch (DomainException ex)
        {
            _error = ex.Message;
        }
        finally
        {
            await LoadAsync(_page?.Page ?? 0);
            _busy = false;
        }
    }

    private Task RunAsync(UserAction action, UserSummary user) => action switch
    {
        UserAction.Lock => Users.LockAsync(_actor!, user.Id),
        UserAction.Unlock => Users.UnlockAsync(_actor!, user.Id),
        UserAction.Promote => Users.PromoteAsync(_actor!, user.Id),
        UserAction.Demote => Users.DemoteAsync(_actor!, user.Id),
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    private static string Confirmation(UserAction action, UserSummary user) => action switch
    {
        UserAction.Lock => $"{user.Email} is locked and can no longer sign in.",
        UserAction.Unlock => $"{user.Email} is unlocked.",
        UserAction.Promote => $"{user.Email} is now an administrator.",
        UserAction.Demote => $"{user.Email} is no longer an administrator.",
        _ => "",
    };

    private static string Format(DateTimeOffset? time) => time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'") : "—";
}
