using AiStudio.Core.Billing;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Roles;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AiStudio.Web.Components.Pages.Builds.Components;

public sealed partial class DecisionBar
{
    private enum Mode
    {
        None,
        Edit,
        Reject,
        SendBack,
    }

    private Mode _mode;
    private string _reason = "";
    private string _edited = "";
    private Phase _target;
    private string? _error;
    private string? _upgradePath;
    private bool _busy;

    [Parameter, EditorRequired]
    public required BuildDetails Details { get; set; }

    [Parameter, EditorRequired]
    public required PhaseRunView Run { get; set; }

    [Parameter, EditorRequired]
    public required Actor Actor { get; set; }

    /// <summary>Raised after a verdict was applied or refused, so the page re-reads the build.</summary>
    [Parameter]
    public EventCallback OnDecided { get; set; }

    [Inject] private IBuildCommands Commands { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    private bool Busy => _busy;

    // Core says whether this person may approve (separation of duties, one approval each); other verdicts stay.
    private bool CanApprove => Details.Approval?.CanApprove ?? true;

    private void Open(Mode mode)
    {
        _error = null;
        _mode = mode;
        if (mode == Mode.Edit && string.IsNullOrEmpty(_edited))
        {
            _edited = Run.Output ?? "";
        }

        if (mode == Mode.SendBack && !Details.SendBackTargets.Contains(_target))
        {
            _target = Details.SendBackTargets[^1];
        }
    }

    private void Close() => _mode = Mode.None;

    private Task ApproveAsync() => DecideAsync(new Verdict.Approve(), $"Your approval of {Run.Phase} is recorded.");

    private Task ApproveEditedAsync() => DecideAsync(new Verdict.Approve(_edited), $"{Run.Phase} approved with your edits.");

    private Task RejectAsync() => string.IsNullOrWhiteSpace(_reason)
        ? Refuse("Write a reason, so that the role knows what to change.")
        : DecideAsync(new Verdict.Reject(_reason), $"{Run.Phase} rejected. The {Run.Role.DisplayName()} tries again.");

    private Task SendBackAsync() => string.IsNullOrWhiteSpace(_reason)
        ? Refuse("Write a reason, so that the role knows what to change.")
        : DecideAsync(new Verdict.SendBack(_target, _reason), $"Sent back to {_target}.");

    private Task Refuse(string message)
    {
        _error = message;
        return Task.CompletedTask;
    }

    private async Task DecideAsync(Verdict verdict, string done)
    {
        // A second click while the first decision is in flight must not decide twice.
        if (_busy)
        {
            return;
        }

        _busy = true;
        _error = null;
        _upgradePath = null;
        try
        {
            await Commands.DecideAsync(Actor, Details.Id, Run.Id, Details.Version, verdict);
            Snackbar.Add(done, Severity.Success);
            _mode = Mode.None;
            _reason = "";
            _edited = "";
        }
        catch (DomainException ex)
        {
            // What the person typed stays in the form.
            _error = ex.Message;
            _upgradePath = (ex as PlanLimitException)?.UpgradePath;
            Snackbar.Add(ex.Message, ex is ConcurrencyConflictException ? Severity.Warning : Severity.Error);
        }
        finally
        {
            _busy = false;
        }

        await OnDecided.InvokeAsync();
    }
}
