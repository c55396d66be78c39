using AiStudio.Core.Common;
using AiStudio.Core.Roles;
using AiStudio.Web.Infrastructure;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AiStudio.Web.Components.Pages.Admin.Prompts;

public sealed partial class RolePromptsPage
{
    private Actor? _actor;
    private IReadOnlyList<RolePromptOverview>? _roles;
    private Editing? _editing;
    private string? _refused;
    private string? _error;
    private bool _busy;

    private sealed record Editing(RolePromptOverview Overview, PromptVersionText From);

    [Inject] private IRolePromptService Prompts { get; set; } = default!;
    [Inject] private CurrentActor CurrentActor { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    /// <summary>Opens the editor for this role on arrival (links from a version's page).</summary>
    [SupplyParameterFromQuery(Name = "edit")] public string? EditRole { get; set; }

    /// <summary>The version whose text the editor starts from; the active one when absent or not a guid (never a 500).</summary>
    [SupplyParameterFromQuery(Name = "from")] public string? FromText { get; set; }

    private Guid? FromPromptId => Guid.TryParse(FromText, out var id) ? id : null;

    protected override async Task OnInitializedAsync()
    {
        _actor = await CurrentActor.GetAsync();
        await LoadAsync();
        if (_roles?.FirstOrDefault(r => r.Role.ToString() == EditRole) is { } role)
        {
            await EditAsync(role, FromPromptId is { } from && role.Versions.Any(v => v.Id == from) ? from : role.Active.Id);
        }
    }

    private async Task LoadAsync()
    {
        try
        {
            _roles = await Prompts.ListAsync(_actor!);
        }
        catch (DomainException ex)
        {
            // The service decides who may manage prompts; the page only reports it.
            _refused = ex.Message;
        }
    }

    private async Task EditAsync(RolePromptOverview role, Guid fromPromptId) =>
        _editing = new Editing(role, await Prompts.GetAsync(_actor!, fromPromptId));

    private Task<PromptVersionSummary> SaveAsync(string text, string why, int latestVersion) =>
        Prompts.CreateVersionAsync(_actor!, _editing!.Overview.Role, text, why, latestVersion);

    private async Task SavedAsync(PromptVersionSummary saved)
    {
        _editing = null;
        Snackbar.Add($"Saved version {saved.Version} of the {saved.Role.DisplayName()} prompt; it is now active.", Severity.Success);
        await LoadAsync();
    }

    private async Task ActivateAsync(PromptVersionSummary version)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync(
            $"Activate version {version.Version}?",
            $"Phase runs of the {version.Role.DisplayName()} queued from now on will use version {version.Version}. Runs already made keep the version they used.",
            yesText: "Activate", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        _busy = true;
        _error = null;
        try
        {
            await Prompts.ActivateAsync(_actor!, version.Id);
            Snackbar.Add($"Version {version.Version} of the {version.Role.DisplayName()} prompt is now active.", Severity.Success);
        }
        catch (DomainException ex)
        {
            _error = ex.Message;
        }
        finally
        {
            await LoadAsync();
            _busy = false;
        }
    }

    private static string CompareHref(AiRole role, int? from, int? to) =>
        $"/admin/prompts/{role}/compare" + (from is { } f && to is { } t ? $"?from={f}&to={t}" : "");
}
