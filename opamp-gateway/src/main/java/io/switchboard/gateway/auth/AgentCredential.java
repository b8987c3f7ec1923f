package io.switchboard.gateway.auth;

import io.switchboard.opamp.json.Storable;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * What the credential an agent connected with proves. {@code principal} is what the agent's
 * identity is bound to: {@code cert:<subject>} for a client certificate (the strongest credential a
 * connection can carry, preferred when there is one), {@code token:<fleet>} for a fleet's bearer
 * token, or null when the connection carried no credential (agent authentication off). {@code
 * certifiedUids} are the instance_uids a client certificate names (its subject's common name, or a
 * subject alternative name {@code urn:uuid:<uid>}), for the strict mode where the certificate must
 * name the agent.
 */
public record AgentCredential(String principal, Set<String> certifiedUids, boolean certified) {

  /** A connection that proved nothing. */
  public static final AgentCredential NONE = new AgentCredential(null, Set.of(), false);

  /** A fleet's bearer token. */
  public static AgentCredential token(String fleet) {
    return new AgentCredential("token:" + fleet, Set.of(), false);
  }

  /** A client certificate that chained to a trusted CA. */
  public static AgentCredential certificate(X509Certificate certificate) {
    String subject = certificate.getSubjectX500Principal().getName();
    Set<String> uids = new HashSet<>();
    commonName(subject).ifPresent(name -> uids.add(name.toLowerCase(Locale.ROOT)));
    try {
      if (certificate.getSubjectAlternativeNames() != null) {
        for (List<?> name : certificate.getSubjectAlternativeNames()) {
          // Type 6: a URI.
          if (name.size() == 2
              && Integer.valueOf(6).equals(name.get(0))
              && name.get(1) instanceof String uri
              && uri.regionMatches(true, 0, "urn:uuid:", 0, 9)) {
            uids.add(uri.substring(9).toLowerCase(Locale.ROOT));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // No usable alternative names: the common name is all the certificate names.
    }
    return new AgentCredential("cert:" + Storable.text(subject), Set.copyOf(uids), true);
  }

  /**
   * A client certificate the server's own CA issued to the agent it names: {@code
   * issued:<instance_uid>}, which that agent's entity admits besides the credential its identity is
   * bound to (the agent asked for it in a session that credential admitted).
   */
  public static AgentCredential issued(X509Certificate certificate) {
    AgentCredential named = certificate(certificate);
    String subject = certificate.getSubjectX500Principal().getName();
    String uid = commonName(subject).orElse("").toLowerCase(Locale.ROOT);
    return new AgentCredential("issued:" + Storable.text(uid), named.certifiedUids(), true);
  }

  /** Whether the credential's certificate names this agent (strict mode). */
  public boolean names(String instanceUid) {
    return certifiedUids.contains(instanceUid.toLowerCase(Locale.ROOT));
  }

  private static Optional<String> commonName(String subject) {
    try {
      for (Rdn rdn : new LdapName(subject).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return Optional.of(rdn.getValue().toString());
        }
      }
    } catch (InvalidNameException e) {
      // A subject X.500 itself wrote is always a valid name; nothing to take from one that is not.
    }
    return Optional.empty();
  }
}
