#!/bin/bash
exit 99
