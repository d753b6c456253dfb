from django.core.management import call_command


def test_the_shell_imports_every_model_without_a_failure_list(capsys):
    call_command("shell", command="print(Order.__name__, Customer.__name__)", verbosity=2)
    out = capsys.readouterr().out
    assert "Order Customer" in out
    assert "could not be automatically imported" not in out
