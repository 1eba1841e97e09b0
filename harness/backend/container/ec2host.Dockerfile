# The fake EC2 host as a container: `groundstack ec2host` (an SSH + SFTP
# server) and a static busybox for the shell scripts run over SSH, FROM
# scratch. harness/backend prepares the context: rootfs/ holds the binary,
# busybox and a symlink per applet at its usual path (/bin/sh, /usr/bin/env,
# …), /tmp (1777), /home/ec2-user, /etc/passwd and the CA bundle. The keys
# are copied in before the container starts.
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin TMPDIR=/tmp
EXPOSE 2222
# 2222, not 22: the container runs without capabilities.
ENTRYPOINT ["/groundstack", "ec2host", "--listen", "0.0.0.0:2222", "--dir", "/home/ec2-user", "--authorized-key-file", "/etc/ec2host/authorized_keys", "--host-key-file", "/etc/ec2host/host_key"]
