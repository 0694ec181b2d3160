"""jupyter_kernel_test suite for the hwnas kernel.

Run by kernel/jupyter_test.go with JUPYTER_PATH pointing at a temporary
kernelspec of a freshly built hwnas binary.
"""
import unittest

import jupyter_kernel_test as jkt


class HwnasKernelTests(jkt.KernelTests):
    kernel_name = "hwnas"
    language_name = "hwnas"
    file_extension = ".hwnas"

    code_hello_world = '%%go\nfmt.Println("hello, world")'
    code_stderr = '%%go\nimport "log"\nlog.SetFlags(0)\nlog.Print("to stderr")'

    completion_samples = [
        {"text": "%%go\nfmt.Prin", "matches": {"Print", "Printf", "Println"}},
        {"text": "%pla", "matches": {"%platforms"}},
    ]
    complete_code_samples = ["%%go\nx := 1", "%help", "%%go\nfunc f() int {\n\treturn 1\n}"]
    incomplete_code_samples = ["%%go\nfunc f() {", "%%go\nx := []int{1,\n", "space s {\n  input 28x28x1"]
    invalid_code_samples = ["%%go\n}", "space s { }}"]

    code_generate_error = '%%go\npanic("boom")'
    code_execute_result = [
        {"code": "%%go\n1 + 2", "result": "3"},
        {"code": '%%go\n"hw" + "nas"', "result": '"hwnas"'},
        {"code": "%%go\nlen([]int{1, 2, 3})", "result": "3"},
    ]
    code_display_data = [
        {"code": '%%go\ndisplay.HTML("<b>hwnas</b>")', "mime": "text/html"},
        {"code": '%%go\ndisplay.SVG("<svg xmlns=\'http://www.w3.org/2000/svg\'></svg>")', "mime": "image/svg+xml"},
        {"code": '%%go\ndisplay.Markdown("# hwnas")', "mime": "text/markdown"},
        {"code": '%%go\ndisplay.JSON(map[string]int{"a": 1})', "mime": "application/json"},
        {"code": '%%go\ndisplay.PNG([]byte("\\x89PNG"))', "mime": "image/png"},
    ]

    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "%%go*1 + 2"

    code_inspect_sample = "%%go\nfmt.Println"
    code_clear_output = "%%go\ndisplay.Clear()"
    code_page_something = "display?"


if __name__ == "__main__":
    unittest.main()
