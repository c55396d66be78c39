using AiStudio.Core.Common;
using AiStudio.Core.Projects;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AiStudio.Web.Components.Pages.Projects.Components;

public sealed partial class MemberList
{
    private bool _busy;
    private string? _error;

    // Bumped after every attempt, so a refused role change does not leave the select showing the refused role.
    private int _generation;

    [Parameter, EditorRequired]
    public required ProjectDetails Details { get; set; }

    [Parameter, EditorRequired]
    public required Actor Actor { get; set; }

    /// <summary>Raised after a change was applied or refused, so the page re-reads the project.</summary>
    [Parameter]
    public EventCallback OnChanged { get; set; }

    [Inject] private IProjectService Projects { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    private Task ChangeRoleAsync(ProjectMemberView member, ProjectRole role) =>
        ActAsync(() => Projects.ChangeRoleAsync(Actor, Details.Id, Details.Version, member.UserId, role), $"{member.Email} is now {role.ToString().ToLowerInvariant()}.");

    private async Task RemoveAsync(ProjectMemberView member)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync(
            "Remove member?",
            $"{member.Email} will no longer see the builds of {Details.Name}.",
            yesText: "Remove", cancelText: "Cancel");
        if (confirmed == true)
        {
            await ActAsync(() => Projects.RemoveMemberAsync(Actor, Details.Id, Details.Version, member.UserId), $"{member.Email} removed.");
        }
    }

    private async Task ActAsync(Func<Task> act, string done)
    {
        if (_busy)
        {
            return;
        }

        _busy = true;
        _error = null;
        try
        {
            await act();
            Snackbar.Add(done, Severity.Success);
        }
        catch (DomainException ex)
        {
            _error = ex.Message;
        }
        finally
        {
            _busy = false;
            _generation++;
        }

        await OnChanged.InvokeAsync();
    }
}
