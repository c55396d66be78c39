using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AiStudio.Core.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Projects : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "CreatedBy",
                table: "Projects",
                type: "TEXT",
                maxLength: 450,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<bool>(
                name: "RequireSeparateApprover",
                table: "Projects",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "RequiredApprovals",
                table: "Projects",
                type: "INTEGER",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<long>(
                name: "UpdatedAt",
                table: "Projects",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<int>(
                name: "Version",
                table: "Projects",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "PhaseRunApprovals",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    PhaseRunId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ApproverId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    ApproverName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Edited = table.Column<bool>(type: "INTEGER", nullable: false),
                    ApprovedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PhaseRunApprovals", x => x.Id);
                    table.ForeignKey(
                        name: "FK_PhaseRunApprovals_PhaseRuns_PhaseRunId",
                        column: x => x.PhaseRunId,
                        principalTable: "PhaseRuns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Existing projects: their first owner is their creator (the unique index below needs it).
            migrationBuilder.Sql(
                "UPDATE Projects SET CreatedBy = COALESCE((SELECT m.UserId FROM ProjectMembers AS m WHERE m.ProjectId = Projects.Id AND m.Role = 'Owner' ORDER BY m.AddedAt LIMIT 1), CAST(Id AS TEXT)), UpdatedAt = CreatedAt WHERE CreatedBy = ''");

            migrationBuilder.CreateIndex(
                name: "IX_Projects_CreatedBy_Name",
                table: "Projects",
                columns: new[] { "CreatedBy", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PhaseRunApprovals_PhaseRunId_ApproverId",
                table: "PhaseRunApprovals",
                columns: new[] { "PhaseRunId", "ApproverId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PhaseRunApprovals");

            migrationBuilder.DropIndex(
                name: "IX_Projects_CreatedBy_Name",
                table: "Projects");

            migrationBuilder.DropColumn(
                name: "CreatedBy",
                table: "Projects");

            migrationBuilder.DropColumn(
                name: "RequireSeparateApprover",
                table: "Projects");

            migrationBuilder.DropColumn(
                name: "RequiredApprovals",
                table: "Projects");

            migrationBuilder.DropColumn(
                name: "UpdatedAt",
                table: "Projects");

            migrationBuilder.DropColumn(
                name: "Version",
                table: "Projects");
        }
    }
}
