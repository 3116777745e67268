"""Run by test_zip_bombs in a child process (memory capped, so a bomb that gets through cannot take the
machine down): feed each hostile file to the roster and bank imports, on the web and on the command
line, and print per case the outcome, the peak RSS growth (from /proc, reset between cases) and the
CPU seconds, as JSON lines.

    python -m tests.security.bomb_driver WORKDIR
"""
import io
import json
import sys
import time
from pathlib import Path


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS (Linux 4.0+)


def measure(run):
    _reset_peak()
    before = _status_kib("VmRSS")
    cpu = time.process_time()
    outcome = run()
    return outcome, (_status_kib("VmHWM") - before) / 1024, time.process_time() - cpu


def main(workdir: Path) -> None:
    from app import create_app
    from app.accounts.models import RoleGrant, User
    from app.common.access import Role
    from app.extensions import db
    from quizzes.models import QuestionBank
    from tests.security import bombs
    from tests.security.routes import sign_in_directly

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bombs.db'}",
                      "WTF_CSRF_ENABLED": False, "PROPAGATE_UNEXPECTED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}, instance_path=workdir)
    roster_headers = ["单位", "姓名", "工号"]
    bank_headers = ["题型", "题干", "答案"]
    files = {}
    for target, headers in (("roster", roster_headers), ("bank", bank_headers)):
        files[(target, "sheet bomb")] = bombs.sheet_bomb(workdir / f"{target}-sheet.xlsx", headers)
        files[(target, "sharedStrings bomb")] = bombs.shared_strings_bomb(workdir / f"{target}-shared.xlsx", headers)
        files[(target, "million-row sheet")] = bombs.tall_sheet(workdir / f"{target}-tall.xlsx", headers)
        files[(target, "5000 members")] = bombs.many_members(workdir / f"{target}-many.xlsx", headers)

    with app.app_context():
        db.create_all()
        organiser = User(name="组织方", staff_id="ORG1", password_hash="x", must_change_password=False)
        organiser.role_grants = [RoleGrant(role=Role.ORGANISER)]
        bank = QuestionBank(name="炸弹题库")
        db.session.add_all([organiser, bank])
        db.session.commit()
        bank_id = bank.id
        client = sign_in_directly(app, organiser)
    runner = app.test_cli_runner()

    def web(url, path, extra):
        def run():
            content = path.read_bytes()
            response = client.post(url, data={"file": (io.BytesIO(content), path.name), **extra},
                                   content_type="multipart/form-data")
            return response.status_code, response.get_data(as_text=True)
        return run

    def cli(args):
        def run():
            result = runner.invoke(args=args)
            return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")
        return run

    for (target, kind), path in files.items():
        cases = {
            "web": web("/members/import" if target == "roster" else f"/quizzes/banks/{bank_id}/import", path,
                       {"password_mode": "mobile"} if target == "roster" else {}),
            "cli": cli(["members", "import", str(path)] if target == "roster"
                       else ["quiz", "import-bank", "炸弹题库", str(path)]),
        }
        for way, run in cases.items():
            (code, text), growth_mb, cpu = measure(run)
            print(json.dumps({"target": target, "kind": kind, "way": way, "code": code, "growth_mb": growth_mb,
                              "cpu_seconds": cpu, "refused_with_message": "未导入" in text or "超过" in text,
                              "text": text[-300:]}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
