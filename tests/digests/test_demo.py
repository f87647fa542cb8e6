"""Done means: the demo commanders get readable .eml digests on a bare machine."""
import email
import os
from datetime import datetime, timezone

import time_machine
from email import policy


def test_demo_digests_are_written_as_readable_eml_files(app, demo):
    runner = app.test_cli_runner()
    app.config["MAIL_SERVER"] = None
    with time_machine.travel(datetime.now(timezone.utc), tick=False):
        sent = runner.invoke(args=["digest", "send"])
        relayed = runner.invoke(args=["outbox", "relay"])

    commanders = [u for u in demo.values() if u.role in ("koramil", "kodim")]
    assert sent.output.strip() == f"queued {len(commanders)} digests", sent.output
    assert relayed.output.strip() == f"sent {len(commanders)}, retrying 0, failed 0"
    folder = os.path.join(app.instance_path, "outbox")
    files = sorted(os.listdir(folder))
    assert len(files) == len(commanders)
    for name in files:
        with open(os.path.join(folder, name), "rb") as handle:
            message = email.message_from_binary_file(handle, policy=policy.default)
        assert message["Subject"].startswith("[Waspada] ")
        assert message["To"] in {u.email for u in commanders}
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert "Selamat pagi" in text and "Selamat pagi" in html
