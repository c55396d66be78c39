using AiStudio.Core.Common;
using AiStudio.Core.Projects;

namespace AiStudio.Core.Builds;

internal static class NewBuildValidator
{
    public const int RequirementsMinLength = 20;

    public static void Validate(NewBuildRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.ProjectId is null)
        {
            TextInput.Check(errors, nameof(request.ProjectName), "Project", request.ProjectName, Project.NameMaxLength);
        }

        TextInput.Check(errors, nameof(request.Title), "Title", request.Title, Build.TitleMaxLength);
        TextInput.Check(errors, nameof(request.Requirements), "Requirements", request.Requirements, Build.RequirementsMaxLength,
            multiline: true, minLength: RequirementsMinLength);
        if (request.Governance is { } governance)
        {
            if (!Enum.IsDefined(governance.Policy))
            {
                errors[nameof(BuildGovernance.Policy)] = ["Approval must be Manual or Automatic."];
            }

            if (governance.ReworkCap is < 0 or > BuildGovernance.MaxReworkCap)
            {
                errors[nameof(BuildGovernance.ReworkCap)] = [$"Rework cap must be between 0 and {BuildGovernance.MaxReworkCap}."];
            }

            if (governance.CostBudget is < 0 or > 1_000_000)
            {
                errors[nameof(BuildGovernance.CostBudget)] = ["Cost budget must be between 0 and 1,000,000 USD, or left empty for no budget."];
            }
        }

        if (errors.Count > 0)
        {
            throw new InputValidationException(errors);
        }
    }
}
