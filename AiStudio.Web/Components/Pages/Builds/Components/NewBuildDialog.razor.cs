using AiStudio.Core.Billing;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Web.Infrastructure;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace AiStudio.Web.Components.Pages.Builds.Components;

public sealed partial class NewBuildDialog
{
    [Inject] private IBuildCommands Commands { get; set; } = default!;
    [Inject] private IBuildQueries Queries { get; set; } = default!;
    [Inject] private CurrentActor CurrentActor { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;

    private const string DefaultProject = "My project";

    private readonly NewBuildForm _form = new();
    private readonly Dictionary<string, string> _errors = [];
    private IReadOnlyList<string> _projects = [];
    private string? _alert;
    private string? _upgradePath;
    private bool _submitting;

    [CascadingParameter]
    private IMudDialogInstance Dialog { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _projects = await Queries.GetProjectNamesAsync(await CurrentActor.GetAsync());
        if (string.IsNullOrWhiteSpace(_form.ProjectName))
        {
            _form.ProjectName = _projects.FirstOrDefault() ?? DefaultProject;
        }
    }

    private bool HasError(string field) => _errors.ContainsKey(field);

    private string? ErrorFor(string field) => _errors.GetValueOrDefault(field);

    private async Task SubmitAsync()
    {
        _alert = null;
        _upgradePath = null;
        if (_errors.Count > 0)
        {
            // A field keeps its own "no error" once it is edited, and only sees the error again as a change:
            // render the fields without errors first, so that a second refusal shows as the first did.
            _errors.Clear();
            StateHasChanged();
            await Task.Yield();
        }

        RequireText(nameof(NewBuildRequest.ProjectName), _form.ProjectName, "Project is required.");
        RequireText(nameof(NewBuildRequest.Title), _form.Title, "Title is required.");
        RequireText(nameof(NewBuildRequest.Requirements), _form.Requirements, "Requirements are required.");
        if (_errors.Count > 0)
        {
            return;
        }

        _submitting = true;
        try
        {
            var request = new NewBuildRequest(_form.ProjectName, _form.Title, _form.Requirements,
                new BuildGovernance(_form.Policy, _form.ReworkCap, _form.CostBudget));
            var buildId = await Commands.StartAsync(await CurrentActor.GetAsync(), request);
            Dialog.Close(DialogResult.Ok(buildId));
            Navigation.NavigateTo($"/builds/{buildId}");
        }
        catch (InputValidationException ex)
        {
            foreach (var (field, messages) in ex.Errors)
            {
                _errors[field] = string.Join(" ", messages);
            }

            // An error for a field this form does not show must still reach the person.
            if (ex.Errors.Keys.Any(k => k is not (nameof(NewBuildRequest.ProjectName) or nameof(NewBuildRequest.Title) or nameof(NewBuildRequest.Requirements)
                or nameof(BuildGovernance.Policy) or nameof(BuildGovernance.ReworkCap) or nameof(BuildGovernance.CostBudget))))
            {
                _alert = ex.Message;
            }
        }
        catch (PlanLimitException ex)
        {
            _alert = ex.Message;
            _upgradePath = ex.UpgradePath;
        }
        catch (DomainException ex)
        {
            _alert = ex.Message;
        }
        finally
        {
            _submitting = false;
        }
    }

    private void RequireText(string field, string? value, string message)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            _errors[field] = message;
        }
    }

    private void Cancel() => Dialog.Cancel();

    private sealed record NewBuildForm
    {
        public string ProjectName { get; set; } = "";
        public string Title { get; set; } = "";
        public string Requirements { get; set; } = "";
        public ApprovalPolicy Policy { get; set; } = ApprovalPolicy.Manual;
        public int ReworkCap { get; set; } = BuildGovernance.DefaultReworkCap;
        public decimal? CostBudget { get; set; }
    }
}
