using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AiStudio.Core.Persistence.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class Verdicts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<decimal>(
                name: "Cost",
                table: "PhaseRuns",
                type: "decimal(18,6)",
                precision: 18,
                scale: 6,
                nullable: false,
                defaultValue: 0m);

            migrationBuilder.AddColumn<string>(
                name: "EditedBy",
                table: "PhaseRuns",
                type: "nvarchar(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EditedOutput",
                table: "PhaseRuns",
                type: "nvarchar(max)",
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "CostBudget",
                table: "Builds",
                type: "decimal(18,6)",
                precision: 18,
                scale: 6,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Policy",
                table: "Builds",
                type: "nvarchar(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "ReworkCap",
                table: "Builds",
                type: "int",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "ReworkCycles",
                table: "Builds",
                type: "int",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "StatusReason",
                table: "Builds",
                type: "nvarchar(4000)",
                maxLength: 4000,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Cost",
                table: "PhaseRuns");

            migrationBuilder.DropColumn(
                name: "EditedBy",
                table: "PhaseRuns");

            migrationBuilder.DropColumn(
                name: "EditedOutput",
                table: "PhaseRuns");

            migrationBuilder.DropColumn(
                name: "CostBudget",
                table: "Builds");

            migrationBuilder.DropColumn(
                name: "Policy",
                table: "Builds");

            migrationBuilder.DropColumn(
                name: "ReworkCap",
                table: "Builds");

            migrationBuilder.DropColumn(
                name: "ReworkCycles",
                table: "Builds");

            migrationBuilder.DropColumn(
                name: "StatusReason",
                table: "Builds");
        }
    }
}
